/**
 * Answers remembered per key, for inputs real traffic repeats (User-Agents, referrers, hosts).
 * Past `capacity` keys it forgets everything and starts over: a rare recomputation of each key,
 * where keeping the most used would cost bookkeeping on every hit.
 */
export class Memo<T extends NonNullable<unknown>> {
  private readonly answers = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly compute: (key: string) => T,
  ) {}

  get(key: string): T {
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.compute(key);
      if (this.answers.size >= this.capacity) this.answers.clear();
      this.answers.set(key, answer);
    }
    return answer;
  }

  get size(): number {
    return this.answers.size;
  }
}
