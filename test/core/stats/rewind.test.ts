import { describe, expect, test } from "bun:test";
import { hitAt, viewOver } from "../../helpers/view-hits.ts";
import { DEFAULT_HUB_LIMITS, Hub } from "../../../src/core/stats/hub.ts";
import { CHUNK_HITS } from "../../../src/core/stats/hit-log.ts";
import { MAX_FRAME_BYTES, REWIND_MS, SNAPSHOT_FEED_ITEMS, type RewindFrame } from "../../../src/core/wire/protocol.ts";
import { WHOLE_SITE } from "../../../src/core/wire/view-filters.ts";

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const SITE = "shop.test";

const rewind = (hub: Hub, at: number, canonical = WHOLE_SITE, now = NOW) => {
  const text = hub.rewind(SITE, canonical, at, now);
  expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  return JSON.parse(text) as RewindFrame;
};

/**
 * Twelve minutes ago three German visitors on /old, then nothing until the last four minutes, when
 * ten French visitors came to /new and one of the Germans came back: the site's figures changed since.
 */
function changedSite(): Hub {
  const hub = new Hub();
  for (let v = 1; v <= 3; v++) hub.record(SITE, hitAt(v, NOW - 12 * MINUTE + v * 1000, { page: "/old", country: "DE", source: "Google" }));
  hub.record(SITE, hitAt(1, NOW - 11 * MINUTE, { name: "Signup", page: "/old", country: "DE", source: "Google" }));
  hub.tick(NOW - 10 * MINUTE);
  for (let v = 10; v < 20; v++) hub.record(SITE, hitAt(v, NOW - 4 * MINUTE + v * 1000, { page: "/new" }));
  hub.record(SITE, hitAt(2, NOW - MINUTE, { page: "/new", country: "DE", source: "Google" }));
  hub.tick(NOW);
  return hub;
}

describe("rewind: a view as it was", () => {
  test("ten minutes back, a site whose traffic changed since shows its older figures and feed", () => {
    const hub = changedSite();
    expect(hub.stats(SITE, NOW).visitors).toEqual({ last5m: 11, last30m: 13, capped: false });
    const at = NOW - 10 * MINUTE;
    const frame = rewind(hub, at);
    expect(frame).toMatchObject({ type: "rewind", site: SITE, at, from: NOW - 12 * MINUTE + 1000 });
    expect("filters" in frame || "window" in frame).toBe(false);
    expect(frame.stats.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
    expect(frame.stats.pages).toEqual([["/old", 3]]);
    expect(frame.stats.countries).toEqual([["DE", 3]]);
    expect(frame.stats.sources).toEqual([["Google", 3]]);
    expect(frame.stats.events).toEqual([["Signup", 1]]);
    expect(frame.stats.pageviews).toBe(3);
    expect(frame.feed.map((item) => [item.n, item.p])).toEqual([
      ["pageview", "/old"],
      ["pageview", "/old"],
      ["pageview", "/old"],
      ["Signup", "/old"],
    ]);
    for (const item of frame.feed) expect(item.t).toBeLessThanOrEqual(at);
    // The live figures are as they were: a rewind changes nothing.
    expect(hub.stats(SITE, NOW).visitors).toEqual({ last5m: 11, last30m: 13, capped: false });
  });

  test("a view's filters and window apply: the Germans over 1 minute, 11 minutes back", () => {
    const hub = changedSite();
    const frame = rewind(hub, NOW - 11 * MINUTE + 30_000, viewOver({ country: "DE" }, 1));
    expect(frame).toMatchObject({ filters: { country: "DE" }, window: 1 });
    // Only visitor 1's Signup is within the minute before; the pageviews 12 minutes back are not.
    expect(frame.stats.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    expect(frame.stats.pageviews).toBe(0);
    expect(frame.stats.events).toEqual([["Signup", 1]]);
    expect(frame.feed.map((item) => item.n)).toEqual(["Signup"]);
  });

  test("the feed holds the last SNAPSHOT_FEED_ITEMS items at or before `at`, oldest first", () => {
    const hub = new Hub();
    for (let i = 0; i < 200; i++) hub.record(SITE, hitAt(i, NOW - 20 * MINUTE + i * 1000, { page: `/p${i}` }));
    hub.tick(NOW);
    const at = NOW - 20 * MINUTE + 120_500;
    const frame = rewind(hub, at);
    expect(frame.feed.length).toBe(SNAPSHOT_FEED_ITEMS);
    expect(frame.feed.at(-1)!.p).toBe("/p120");
    expect(frame.feed[0]!.p).toBe(`/p${120 - SNAPSHOT_FEED_ITEMS + 1}`);
    expect(frame.stats.pageviews).toBe(121);
  });

  test("30 minutes back with a 30-minute window still has its hits: the log keeps an hour", () => {
    const hub = new Hub();
    // A whole chunk of the log 50 to 45 minutes ago (the log drops whole chunks), by ten visitors.
    const start = NOW - 50 * MINUTE;
    for (let i = 0; i < CHUNK_HITS; i++) hub.record(SITE, hitAt(i % 10, start + Math.floor((i * 5 * MINUTE) / CHUNK_HITS), { page: "/early" }));
    hub.record(SITE, hitAt(100, NOW - 20 * MINUTE, { page: "/later" }));
    hub.tick(NOW - 15 * MINUTE);
    hub.tick(NOW);
    const frame = rewind(hub, NOW - 30 * MINUTE);
    expect(frame.stats.visitors.last30m).toBe(10);
    expect(frame.stats.pageviews).toBe(CHUNK_HITS);
    expect(new Set(frame.feed.map((item) => item.p))).toEqual(new Set(["/early"]));
    expect(frame.from).toBe(start);
  });

  test("`at` is brought within the last 30 minutes", () => {
    const hub = changedSite();
    expect(rewind(hub, NOW - 5 * 60 * MINUTE).at).toBe(NOW - REWIND_MS);
    expect(rewind(hub, NOW + 60 * MINUTE).at).toBe(NOW);
    expect(rewind(hub, NOW + 60 * MINUTE).stats.visitors).toEqual({ last5m: 11, last30m: 13, capped: false });
  });

  test("a site with nothing held says so: `from` is now, the figures empty", () => {
    const frame = rewind(new Hub(), NOW - MINUTE);
    expect(frame.from).toBe(NOW);
    expect(frame.stats.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
    expect(frame.feed).toEqual([]);
  });

  test("a rewind gives its visitors' memory back at once", () => {
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS });
    for (let v = 0; v < 500; v++) hub.record(SITE, hitAt(v, NOW - 10 * MINUTE + v, { page: `/p${v}` }));
    hub.tick(NOW);
    const before = hub.visitorBudget.usedBytes;
    rewind(hub, NOW - 5 * MINUTE);
    expect(hub.visitorBudget.usedBytes).toBe(before);
  });
});
