/**
 * Token buckets per key (a client address): `rate` events per second on average, bursts up to
 * `rate` at once. Idle buckets are full buckets, so they are dropped by `sweep`, which bounds
 * memory by the number of addresses active in the last second or so.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    readonly rate: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token for `key`; false when its bucket is empty (answer 429). */
  take(key: string, time: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.sweep(time);
      bucket = { tokens: this.rate, updated: time };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, time);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Takes `count` more tokens for `key` without refusing: what a request turned out to carry beyond
   * the token `take` charged before it was read. The bucket may go below zero, and the address
   * then waits until it has paid.
   */
  charge(key: string, time: number, count: number): void {
    const bucket = this.buckets.get(key);
    if (!bucket || count <= 0) return;
    this.refill(bucket, time);
    bucket.tokens -= count;
  }

  /** Seconds until `key` has a token again, for Retry-After. */
  retryAfter(key: string): number {
    const bucket = this.buckets.get(key);
    return bucket ? Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)) : 1;
  }

  private refill(bucket: { tokens: number; updated: number }, time: number): void {
    bucket.tokens = refilled(bucket.tokens, time - bucket.updated, this.rate, this.rate);
    bucket.updated = time;
  }

  /** Forgets buckets that have refilled: they behave exactly like new ones. */
  sweep(time: number): void {
    for (const [key, bucket] of this.buckets) {
      if (refilled(bucket.tokens, time - bucket.updated, this.rate, this.rate) >= this.rate) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** A token bucket's tokens after `elapsedMs` at `perSecond`, never above `capacity`. */
export function refilled(tokens: number, elapsedMs: number, perSecond: number, capacity: number): number {
  return Math.min(capacity, tokens + (elapsedMs / 1000) * perSecond);
}

/** Open dashboards per client address, for --max-dashboards-per-ip. */
export class ConnectionCounter {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Counts a new connection for `key`; false if it would pass the limit (and then nothing is counted). */
  tryOpen(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  close(key: string): void {
    const count = (this.counts.get(key) ?? 0) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }

  get size(): number {
    return this.counts.size;
  }
}
