import { Counter } from "./counter.ts";
import type { TopList } from "../wire/protocol.ts";

export const OTHER_LABEL = "(other)";
/** A window of W minutes is counted in this many buckets of 2 × W seconds: the 30-minute one by the minute, a 1-minute one every 2 s. */
export const WINDOW_BUCKETS = 30;

/** The bucket width of a window of `minutes`. */
export function windowStep(minutes: number): number {
  return (minutes * 60_000) / WINDOW_BUCKETS;
}

/**
 * Counts per label over a sliding window of `size` buckets of `step` ms. The whole window holds at
 * most `maxLabels` labels (the rest fold into "(other)"), so memory is bounded whatever arrives: a
 * cap per bucket would let `size` times as many distinct labels in. First come is not first
 * served, though: a label that arrives while the window is full waits (up to `maxLabels` of them,
 * counted), and once it has been seen more often than the least counted label in the window it
 * takes that one's place, which folds into "(other)". So junk names sent once each cannot keep a
 * real event out of the list.
 */
export class WindowedCounter {
  private readonly buckets: Array<Map<string, number> | undefined>;
  private readonly totals = new Counter();
  /** Labels that came while the window was full, with how often: at most `maxLabels`. */
  private readonly waiting = new Map<string, number>();
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
    const key = this.totals.get(label) > 0 || this.totals.size < this.maxLabels ? label : this.waitOrEnter(label);
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    this.totals.add(key);
  }

  /** A label new to a full window: it waits ("(other)" counts it) until seen more than the weakest label. */
  private waitOrEnter(label: string): string {
    if (label === OTHER_LABEL) return label;
    let seen = this.waiting.get(label);
    if (seen === undefined) {
      if (this.waiting.size >= this.maxLabels) this.waiting.delete(leastOf(this.waiting.entries())!);
      seen = 0;
    }
    seen++;
    const weakest = leastOf(this.totals.entries(), OTHER_LABEL);
    if (weakest === undefined || seen <= this.totals.get(weakest)) {
      this.waiting.set(label, seen);
      return OTHER_LABEL;
    }
    this.waiting.delete(label);
    this.fold(weakest);
    return label;
  }

  /** Moves a label's counts, bucket by bucket, into "(other)". */
  private fold(label: string): void {
    for (const bucket of this.buckets) {
      const count = bucket?.get(label);
      if (!bucket || count === undefined) continue;
      bucket.delete(label);
      bucket.set(OTHER_LABEL, (bucket.get(OTHER_LABEL) ?? 0) + count);
      this.totals.add(label, -count);
      this.totals.add(OTHER_LABEL, count);
    }
  }

  /** Forgets what fell out of the window; returns whether anything did. */
  advance(time: number): boolean {
    return this.advanceTo(Math.floor(time / this.step));
  }

  top(limit: number): TopList {
    return this.totals.top(limit);
  }

  /** Every label in the window with its count ("(other)" included), in no order. */
  entries(): IterableIterator<[string, number]> {
    return this.totals.entries();
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
    // Room again: new labels come straight in, and what waited is forgotten.
    if (this.totals.size < this.maxLabels) this.waiting.clear();
    return true;
  }
}

/** The label with the smallest count (the first of equals: the one that has waited longest), skipping `except`. */
function leastOf(entries: Iterable<[string, number]>, except?: string): string | undefined {
  let least: string | undefined;
  let leastCount = Number.POSITIVE_INFINITY;
  for (const [label, count] of entries) {
    if (label !== except && count < leastCount) {
      least = label;
      leastCount = count;
    }
  }
  return least;
}
