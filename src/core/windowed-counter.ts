import { Counter } from "./counter.ts";
import type { TopList } from "./protocol.ts";

export const OTHER_LABEL = "(other)";

/**
 * Counts per label over a sliding window of `size` buckets of `step` ms. The whole window holds at
 * most `maxLabels` labels (the rest fold into "(other)"), so memory is bounded whatever arrives: a
 * cap per bucket would let `size` times as many distinct labels in.
 */
export class WindowedCounter {
  private readonly buckets: Array<Map<string, number> | undefined>;
  private readonly totals = new Counter();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    readonly step: number,
    readonly size: number,
    readonly maxLabels: number,
  ) {
    this.buckets = new Array(size);
  }

  add(time: number, label: string): void {
    const index = Math.floor(time / this.step);
    this.advanceTo(index);
    if (index <= this.newest - this.size) return;
    const slot = index % this.size;
    const bucket = (this.buckets[slot] ??= new Map());
    const key = this.totals.get(label) > 0 || this.totals.size < this.maxLabels ? label : OTHER_LABEL;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    this.totals.add(key);
  }

  /** Forgets what fell out of the window; returns whether anything did. */
  advance(time: number): boolean {
    return this.advanceTo(Math.floor(time / this.step));
  }

  top(limit: number): TopList {
    return this.totals.top(limit);
  }

  get labelCount(): number {
    return this.totals.size;
  }

  private advanceTo(index: number): boolean {
    if (index <= this.newest) return false;
    let dropped = false;
    if (Number.isFinite(this.newest)) {
      // The slots the new buckets will take still hold buckets from one window ago.
      const steps = Math.min(index - this.newest, this.size);
      for (let i = 1; i <= steps; i++) dropped = this.clear((this.newest + i) % this.size) || dropped;
    }
    this.newest = index;
    return dropped;
  }

  private clear(slot: number): boolean {
    const bucket = this.buckets[slot];
    if (!bucket || bucket.size === 0) return false;
    for (const [label, count] of bucket) this.totals.add(label, -count);
    this.buckets[slot] = undefined;
    return true;
  }
}
