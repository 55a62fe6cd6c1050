import type { TopList } from "./protocol.ts";

/** Counts per label that go up and down; a label whose count reaches zero is forgotten. */
export class Counter {
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.counts.size;
  }

  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  add(label: string, amount = 1): void {
    const next = (this.counts.get(label) ?? 0) + amount;
    if (next > 0) this.counts.set(label, next);
    else this.counts.delete(label);
  }

  /** The `limit` largest counts, ties broken by label so that equal inputs give equal output. */
  top(limit: number): TopList {
    const best: TopList = [];
    for (const [label, count] of this.counts) {
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

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

function ranksBefore(count: number, label: string, otherCount: number, otherLabel: string): boolean {
  return count > otherCount || (count === otherCount && label < otherLabel);
}
