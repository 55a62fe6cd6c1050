import type { TopList } from "../wire/protocol.ts";

/** A label's count, boxed so that changing it is one Map lookup rather than a get and a set: every hit changes several. */
interface Tally {
  n: number;
}

/** Counts per label that go up and down; a label whose count reaches zero is forgotten. */
export class Counter {
  private readonly counts = new Map<string, Tally>();

  get size(): number {
    return this.counts.size;
  }

  get(label: string): number {
    return this.counts.get(label)?.n ?? 0;
  }

  add(label: string, amount = 1): void {
    const tally = this.counts.get(label);
    if (tally === undefined) {
      if (amount > 0) this.counts.set(label, { n: amount });
    } else if ((tally.n += amount) <= 0) {
      this.counts.delete(label);
    }
  }

  /** The `limit` largest counts, ties broken by label so that equal inputs give equal output. */
  top(limit: number): TopList {
    const best: TopList = [];
    for (const [label, { n: count }] of this.counts) {
      if (best.length === limit) {
        const last = best[limit - 1]!;
        if (!ranksBefore(count, label, last[1], last[0])) continue;
        best.pop();
      }
      let i = best.length;
      while (i > 0 && ranksBefore(count, label, best[i - 1]![1], best[i - 1]![0])) i--;
      best.splice(i, 0, [label, count]);
    }
    return best;
  }

  *entries(): IterableIterator<[string, number]> {
    for (const [label, tally] of this.counts) yield [label, tally.n];
  }
}

function ranksBefore(count: number, label: string, otherCount: number, otherLabel: string): boolean {
  return count > otherCount || (count === otherCount && label < otherLabel);
}
