import type { Series } from "../wire/protocol.ts";

/**
 * Counts in `size` consecutive buckets of `step` ms, kept in a ring: adding and advancing cost
 * O(1) amortised, and memory never grows.
 */
export class BucketSeries {
  private readonly counts: Float64Array;
  /** Absolute index (time / step) of the newest bucket. */
  private newest = Number.NEGATIVE_INFINITY;
  private sum = 0;

  constructor(
    readonly step: number,
    readonly size: number,
  ) {
    this.counts = new Float64Array(size);
  }

  add(time: number, amount = 1): void {
    const index = Math.floor(time / this.step);
    this.advanceTo(index);
    if (index <= this.newest - this.size) return; // older than the window
    this.counts[index % this.size]! += amount;
    this.sum += amount;
  }

  /** Drops the buckets that fell out of the window by `time`; returns the count they held. */
  advance(time: number): number {
    return this.advanceTo(Math.floor(time / this.step));
  }

  total(): number {
    return this.sum;
  }

  toSeries(time: number): Series {
    this.advance(time);
    const newest = Math.floor(time / this.step);
    const counts = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) {
      const index = newest - this.size + 1 + i;
      counts[i] = this.counts[((index % this.size) + this.size) % this.size]!;
    }
    return { step: this.step, last: newest * this.step, counts };
  }

  private advanceTo(index: number): number {
    if (index <= this.newest) return 0;
    let dropped = 0;
    if (!Number.isFinite(this.newest) || index - this.newest >= this.size) {
      dropped = this.sum;
      this.counts.fill(0);
      this.sum = 0;
    } else {
      for (let i = this.newest + 1; i <= index; i++) {
        const slot = i % this.size;
        dropped += this.counts[slot]!;
        this.counts[slot] = 0;
      }
      this.sum -= dropped;
    }
    this.newest = index;
    return dropped;
  }
}
