/** The lease that decides which node keeps the pace, against a real redis-server (skipped, saying why, without one). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { RedisLease } from "../../src/control/redis-lease.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";

const missing = redisServerBinary() ? undefined : REDIS_MISSING;
if (missing) console.warn(`RedisLease tests skipped: ${missing}`);

let redis: RedisProcess;
let client: RedisClient;
beforeAll(async () => {
  if (missing) return;
  redis = await startRedis();
  client = new RedisClient(redis.url);
});
afterAll(async () => {
  client?.close();
  await redis?.stop();
});

const leases = (ttlMs: number) => {
  const key = `pulse:test:lease:${crypto.randomUUID()}`;
  return { a: new RedisLease(client, key, "node-a", ttlMs), b: new RedisLease(client, key, "node-b", ttlMs) };
};

describe.skipIf(missing !== undefined)("RedisLease", () => {
  test("one node takes it; the other cannot while it is held and renewed", async () => {
    const { a, b } = leases(200);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    for (let i = 0; i < 4; i++) {
      await Bun.sleep(100);
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
    }
    expect(await a.holder()).toBe("node-a");
  });

  test("a holder that stops renewing loses it after the expiry, to the next node that asks, and is told so", async () => {
    const { a, b } = leases(150);
    expect(await a.hold()).toBe(true);
    await Bun.sleep(100);
    expect(await b.hold()).toBe(false);
    await Bun.sleep(100);
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
    expect(await a.holder()).toBe("node-b");
  });

  test("given back, it is free at once; giving back a lease held by another does nothing", async () => {
    const { a, b } = leases(60_000);
    expect(await a.hold()).toBe(true);
    await b.release();
    expect(await a.holder()).toBe("node-a");
    await a.release();
    expect(await a.holder()).toBeNull();
    expect(await b.hold()).toBe(true);
  });

  test("an expiry of zero is refused", () => {
    expect(() => new RedisLease(client, "k", "n", 0)).toThrow("a lease needs an expiry");
  });
});
