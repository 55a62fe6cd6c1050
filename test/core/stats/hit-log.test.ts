import { describe, expect, test } from "bun:test";
import { CHUNK_BYTES, CHUNK_HITS, HitLog, HitLogPool, labelBytes } from "../../../src/core/stats/hit-log.ts";
import type { Hit } from "../../../src/core/stats/site-stats.ts";

const T0 = 1_700_000_000_000;
const hit = (visitor: number, time: number, page = "/"): Hit => ({
  time, visitor, name: "pageview", page, source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR", props: {},
});
const LABELS = labelBytes("pageview") + labelBytes("/") + labelBytes("Direct / None") + labelBytes("Firefox") + labelBytes("Linux") + labelBytes("Desktop") + labelBytes("FR");
const matching = (log: HitLog, filters: Record<string, string>, time: number) => {
  const found: Array<[number, string]> = [];
  log.replay(filters, time - 30 * 60_000, Number.POSITIVE_INFINITY, (h) => found.push([h.visitor, h.page]));
  return found;
};

describe("HitLog", () => {
  test("replays the matching hits of the last 30 minutes in order, with their labels", () => {
    const log = new HitLog(new HitLogPool(10 * CHUNK_BYTES));
    log.append(hit(1, T0, "/a"));
    log.append({ ...hit(2, T0 + 1, "/b"), country: "DE" });
    log.append(hit(3, T0 + 31 * 60_000, "/a"));
    expect(matching(log, { page: "/a" }, T0 + 31 * 60_000)).toEqual([[3, "/a"]]);
    expect(matching(log, { page: "/a" }, T0 + 1000)).toEqual([[1, "/a"], [3, "/a"]]);
    expect(matching(log, { country: "DE", page: "/b" }, T0 + 1000)).toEqual([[2, "/b"]]);
    expect(matching(log, { country: "US" }, T0 + 1000)).toEqual([]);
  });

  test("within the pool's bytes, the log holding most chunks gives way; trimming gives the bytes back", () => {
    const pool = new HitLogPool(3 * CHUNK_BYTES + 2 * LABELS);
    const busy = new HitLog(pool);
    const small = new HitLog(pool);
    for (let i = 0; i < 3 * CHUNK_HITS; i++) busy.append(hit(i, T0 + i));
    expect(busy.chunkCount).toBe(3);
    small.append(hit(1, T0));
    expect(small.size).toBe(1);
    expect(busy.chunkCount).toBe(2);
    expect(pool.budget.usedBytes).toBeLessThanOrEqual(pool.budget.maxBytes);
    // An hour is kept: a rewind 30 minutes back still has its 30-minute window.
    busy.trim(T0 + 3 * CHUNK_HITS + 45 * 60_000);
    expect(busy.chunkCount).toBe(2);
    busy.trim(T0 + 3 * CHUNK_HITS + 60 * 60_000);
    expect(busy.chunkCount).toBe(0);
    small.close();
    expect(pool.budget.usedBytes).toBe(0);
  });
});
