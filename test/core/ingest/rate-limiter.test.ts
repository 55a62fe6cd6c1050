import { describe, expect, test } from "bun:test";
import { ConnectionCounter, RateLimiter } from "../../../src/core/ingest/rate-limiter.ts";

describe("RateLimiter", () => {
  test("allows `rate` at once, then refills at `rate` per second", () => {
    const limiter = new RateLimiter(3);
    const takes = (time: number, n: number) => Array.from({ length: n }, () => limiter.take("a", time));
    expect(takes(0, 4)).toEqual([true, true, true, false]);
    expect(limiter.retryAfter("a")).toBe(1);
    expect(takes(334, 2)).toEqual([true, false]);
    expect(takes(10_000, 4)).toEqual([true, true, true, false]);
  });

  test("charge takes more tokens without refusing; the debt is paid before the next take", () => {
    const limiter = new RateLimiter(4);
    expect(limiter.take("a", 0)).toBe(true);
    limiter.charge("a", 0, 9);
    expect(limiter.take("a", 0)).toBe(false);
    expect(limiter.retryAfter("a")).toBe(2);
    expect(limiter.take("a", 1500)).toBe(false);
    expect(limiter.take("a", 2000)).toBe(true);
    limiter.charge("b", 0, 5);
    expect(limiter.size).toBe(1);
  });

  test("memory stays bounded: refilled buckets are swept when the map is full", () => {
    const limiter = new RateLimiter(10, 100);
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, i * 1000);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

describe("ConnectionCounter", () => {
  test("counts per key up to the limit and forgets keys at zero", () => {
    const counter = new ConnectionCounter(2);
    expect([counter.tryOpen("a"), counter.tryOpen("a"), counter.tryOpen("a"), counter.tryOpen("b")]).toEqual([true, true, false, true]);
    counter.close("a");
    expect(counter.tryOpen("a")).toBe(true);
    counter.close("b");
    expect(counter.size).toBe(1);
  });
});
