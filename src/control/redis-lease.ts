/**
 * Which node keeps the pace among nodes that share Redis: a lease, a key naming its holder with an
 * expiry. The holder renews it well within the expiry; a holder that stops (killed, cut off from
 * Redis, stalled) lets it expire, and the next node that asks takes it. Taking, keeping and giving
 * back are each one script, so two nodes never both take an empty lease.
 *
 * A lease alone cannot stop a holder that stalled past its expiry from acting once more after
 * another took over; what it keeps in order (ticks) must therefore also be numbered by Redis
 * (INCR), so that readers can drop what comes out of order.
 */
import type { RedisClient } from "bun";

/** Takes the lease if nobody holds it, keeps it if this node does: 1 while held by ARGV[1]. */
const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Gives the lease back if this node holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class RedisLease {
  constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly node: string,
    private readonly ttlMs: number,
  ) {
    if (!(ttlMs > 0)) throw new RangeError("a lease needs an expiry");
  }

  /** Takes or renews the lease: true while this node holds it. Rejects when Redis does not answer. */
  async hold(): Promise<boolean> {
    return Number(await this.client.send("EVAL", [HOLD, "1", this.key, this.node, String(Math.ceil(this.ttlMs))])) === 1;
  }

  /** Gives it back at once (a node that stops cleanly), so another need not wait for the expiry. */
  async release(): Promise<void> {
    await this.client.send("EVAL", [RELEASE, "1", this.key, this.node]);
  }

  /** The node holding it now, or null. */
  async holder(): Promise<string | null> {
    return ((await this.client.send("GET", [this.key])) as string | null) ?? null;
  }
}
