/**
 * A latency histogram with buckets growing 5% at a time from 0.1 ms to about 2 minutes: percentiles
 * within 5%, a fixed size whatever the count, and mergeable across worker processes by adding.
 */
const FIRST_MS = 0.1;
const GROWTH = 1.05;
const BUCKETS = 300;
const LOG_GROWTH = Math.log(GROWTH);

export class Histogram {
  readonly counts: number[];
  count = 0;
  max = 0;

  constructor(counts?: number[]) {
    this.counts = counts ?? new Array<number>(BUCKETS).fill(0);
    for (const n of this.counts) this.count += n;
  }

  record(ms: number): void {
    const index = ms <= FIRST_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FIRST_MS) / LOG_GROWTH));
    this.counts[index]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The upper bound of the bucket holding the p-th percentile (0 < p <= 100); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(FIRST_MS * GROWTH ** i, this.max);
    }
    return this.max;
  }

  toJSON() {
    return { counts: this.counts, max: this.max };
  }

  static fromJSON(json: { counts: number[]; max: number }): Histogram {
    const histogram = new Histogram([...json.counts]);
    histogram.max = json.max;
    return histogram;
  }
}
