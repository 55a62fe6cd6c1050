import { describe, expect, test } from "bun:test";
import { extraBytes } from "../../../src/core/stats/hit-extras.ts";
import { CHUNK_BYTES, CHUNK_HITS, HitLog, HitLogPool, labelBytes, SLOT_BYTES } from "../../../src/core/stats/hit-log.ts";
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
    // A chunk of hits each from a visitor of their own, with the visitors' slots.
    const chunkOfVisitors = CHUNK_BYTES + CHUNK_HITS * SLOT_BYTES;
    const pool = new HitLogPool(3 * chunkOfVisitors + 2 * LABELS);
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

  test("keeps a pageview's campaign and a custom event's properties, charged to the pool and given back with their chunk", () => {
    const pool = new HitLogPool(10 * CHUNK_BYTES);
    const log = new HitLog(pool);
    const campaign = { source: "newsletter", medium: "email", campaign: "spring", content: "", term: "", ref: "" };
    const props = { plan: "pro", seats: "12" };
    log.append({ ...hit(1, T0), campaign });
    log.append({ ...hit(2, T0 + 1), name: "Signup", props });
    // Engagement and a pageview's properties are never shown: not kept.
    log.append({ ...hit(3, T0 + 2), name: "engagement", props: { kept: "no" } });
    log.append({ ...hit(4, T0 + 3), props: { kept: "no" } });
    const replayed: Hit[] = [];
    log.replay({}, T0 - 1, T0 + 3, (h) => replayed.push(h));
    expect(replayed.map((h) => [h.campaign, h.props])).toEqual([[campaign, {}], [undefined, props], [undefined, {}], [undefined, {}]]);
    expect(replayed[0]!.campaign).toBe(campaign);
    const labels = LABELS + labelBytes("Signup") + labelBytes("engagement");
    expect(pool.budget.usedBytes).toBe(CHUNK_BYTES + 4 * SLOT_BYTES + labels + extraBytes(campaign) + extraBytes(props));
    log.close();
    expect(pool.budget.usedBytes).toBe(0);
  });

  test("the log holding the most bytes gives way, though it holds fewer chunks: large properties cannot push out other sites' history", () => {
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`key${k}`, "x".repeat(2000)]));
    const fill = (pool: HitLogPool) => {
      const busy = new HitLog(pool);
      const heavy = new HitLog(pool);
      for (let i = 0; i < 2 * CHUNK_HITS; i++) busy.append(hit(i, T0 + i));
      heavy.append({ ...hit(1, T0), name: "Signup", props });
      heavy.append({ ...hit(2, T0 + 1), name: "Signup", props });
      return { busy, heavy };
    };
    const measured = new HitLogPool(Number.POSITIVE_INFINITY);
    const { busy: wide, heavy: tall } = fill(measured);
    expect(tall.heldBytes).toBeGreaterThan(wide.heldBytes);
    expect(tall.chunkCount).toBeLessThan(wide.chunkCount);
    // No room for the busy log's third chunk: the heavy log's chunk goes, not the busy log's own.
    const pool = new HitLogPool(measured.budget.usedBytes + CHUNK_BYTES / 2);
    const { busy, heavy } = fill(pool);
    busy.append(hit(0, T0 + 2 * CHUNK_HITS));
    expect(heavy.chunkCount).toBe(0);
    expect(busy.chunkCount).toBe(3);
    expect(busy.oldestTime()).toBe(T0);
    expect(pool.budget.usedBytes).toBeLessThanOrEqual(pool.budget.maxBytes);
  });
});

