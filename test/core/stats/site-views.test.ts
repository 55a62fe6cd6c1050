import { describe, expect, test } from "bun:test";
import { DEFAULT_HUB_LIMITS, Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import { MAX_HITS_WHILE_LOADING, MAX_VIEWS_PER_SITE, UNWATCHED_VIEW_GRACE_MS, VIEW_BYTES, type ViewWatchers } from "../../../src/core/stats/site-views.ts";
import { CHUNK_BYTES, CHUNK_HITS } from "../../../src/core/stats/hit-log.ts";
import type { Hit } from "../../../src/core/stats/site-stats.ts";
import { visitorBytes } from "../../../src/core/stats/visitor-budget.ts";
import type { SnapshotFrame, Stats, TickFrame } from "../../../src/core/wire/protocol.ts";
import { filtersFromObject, viewTopic, type CanonicalFilters } from "../../../src/core/wire/view-filters.ts";

const T0 = 1_700_000_000_000;
const SITE = "shop.test";

function hit(visitor: number, time: number, fields: Partial<Hit> = {}): Hit {
  return { time, visitor, name: "pageview", page: "/", source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR", props: {}, ...fields };
}
const view = (filters: Record<string, string>) => filtersFromObject(filters) as CanonicalFilters;
const topicOf = (filters: Record<string, string>) => viewTopic(SITE, view(filters).key);
const open = (hub: Hub, filters: Record<string, string>, time: number) => hub.openView(SITE, view(filters), time);
const snapshotOf = (hub: Hub, filters: Record<string, string>, time: number) => {
  const opening = open(hub, filters, time);
  if (!("snapshot" in opening)) throw new Error(opening.refused);
  return JSON.parse(opening.snapshot) as SnapshotFrame;
};
const tick = (hub: Hub, time: number) => hub.tick(time).map((p) => ({ topic: p.topic, frame: JSON.parse(p.data) as TickFrame }));

describe("filtered views in the hub", () => {
  test("a hit reaches exactly the views it matches, and each changed view gets ONE frame per tick", () => {
    const hub = new Hub();
    hub.record(SITE, hit(1, T0));
    const fr = { country: "FR" };
    const de = { country: "DE" };
    const frPricing = { page: "/pricing", country: "FR" };
    for (const filters of [fr, de, frPricing]) open(hub, filters, T0 + 1);
    hub.tick(T0 + 10);
    for (let i = 0; i < 50; i++) hub.record(SITE, hit(100 + i, T0 + 100 + i, { country: "FR", page: i % 2 ? "/pricing" : "/" }));
    for (let i = 0; i < 5; i++) hub.record(SITE, hit(200 + i, T0 + 200 + i, { country: "DE", page: "/pricing" }));
    const frames = tick(hub, T0 + 300);
    const topics = frames.map((f) => f.topic);
    for (const filters of [fr, de, frPricing]) expect(topics.filter((t) => t === topicOf(filters))).toHaveLength(1);
    const frameOf = (filters: Record<string, string>) => frames.find((f) => f.topic === topicOf(filters))!.frame;
    expect(frameOf(fr).changed.visitors).toEqual({ last5m: 51, last30m: 51, capped: false });
    expect(frameOf(de).changed.visitors).toEqual({ last5m: 5, last30m: 5, capped: false });
    expect(frameOf(frPricing).changed.visitors).toEqual({ last5m: 25, last30m: 25, capped: false });
    expect(frameOf(frPricing).changed.pages).toEqual([["/pricing", 25]]);
    expect(frameOf(frPricing)).toMatchObject({ type: "tick", site: SITE, filters: { country: "FR", page: "/pricing" }, seq: 2 });
    // The whole site's frame is as before: no filters field, every hit.
    const site = frames.find((f) => f.topic === siteTopic(SITE))!.frame;
    expect(site.changed.visitors!.last5m).toBe(56);
    expect("filters" in site).toBe(false);
    // A hit only one view matches: only that view publishes.
    hub.record(SITE, hit(300, T0 + 400, { country: "DE", page: "/" }));
    expect(tick(hub, T0 + 500).map((f) => f.topic).sort()).toEqual([siteTopic(SITE), topicOf(de), "sites"].sort());
  });

  test("custom events filter by name; the snapshot names the view's filters", () => {
    const hub = new Hub();
    hub.record(SITE, hit(1, T0, { name: "Signup" }));
    hub.record(SITE, hit(2, T0, { name: "Purchase" }));
    hub.record(SITE, hit(3, T0));
    const snapshot = snapshotOf(hub, { event: "Signup" }, T0 + 10);
    expect(snapshot.filters).toEqual({ event: "Signup" });
    expect(snapshot.stats.events).toEqual([["Signup", 1]]);
    expect(snapshot.stats.visitors.last30m).toBe(1);
  });

  test("past MAX_VIEWS_PER_SITE a new filter set is refused with the reason; an open one still opens", () => {
    // Memory for every view: the cap, not the budget, refuses the one more.
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS, visitorMemory: (MAX_VIEWS_PER_SITE + 8) * VIEW_BYTES });
    for (let i = 0; i < MAX_VIEWS_PER_SITE; i++) expect("snapshot" in open(hub, { page: `/p${i}` }, T0)).toBe(true);
    expect(open(hub, { page: "/one-more" }, T0)).toEqual({
      refused: `${SITE} already has ${MAX_VIEWS_PER_SITE} views open (filter sets and windows): try again later, or watch the whole site`,
    });
    expect("snapshot" in open(hub, { page: "/p3" }, T0)).toBe(true);
    expect(hub.viewCount(SITE)).toBe(MAX_VIEWS_PER_SITE);
  });

  test("a view is charged to the visitors' budget, and refused when it does not fit", () => {
    const hub = new Hub({ maxSites: 10, maxEventNames: 10, visitorMemory: VIEW_BYTES + 1000 });
    hub.record(SITE, hit(1, T0));
    expect("snapshot" in open(hub, { country: "FR" }, T0)).toBe(true);
    expect(open(hub, { country: "DE" }, T0)).toEqual({ refused: "no memory left for another filtered view: try again later" });
  });

  test("a view built when the visitors' budget runs out counts the rest as the site does: estimated, and capped", () => {
    const each = visitorBytes(hit(0, T0));
    const hub = new Hub({ maxSites: 10, maxEventNames: 10, visitorMemory: VIEW_BYTES + 250 * each });
    for (let visitor = 0; visitor < 200; visitor++) hub.record(SITE, hit(visitor, T0 + visitor));
    const snapshot = snapshotOf(hub, { country: "FR" }, T0 + 1000);
    expect(snapshot.stats.visitors.capped).toBe(true);
    expect(Math.abs(snapshot.stats.visitors.last30m - 200)).toBeLessThan(20);
    expect(hub.visitorBudget.usedBytes).toBeLessThanOrEqual(hub.visitorBudget.maxBytes);
  });

  test("a view nobody watches is dropped after the grace period, not before; its visitors give their memory back", () => {
    const watched = new Set<string>();
    const watchers: ViewWatchers = { isWatched: (topic) => watched.has(topic) };
    const hub = new Hub(undefined, watchers);
    hub.record(SITE, hit(1, T0));
    const used = hub.visitorBudget.usedBytes;
    watched.add(topicOf({ country: "FR" }));
    open(hub, { country: "FR" }, T0);
    expect(hub.visitorBudget.usedBytes).toBe(2 * used + VIEW_BYTES);
    hub.tick(T0 + 100);
    watched.clear();
    hub.tick(T0 + 200);
    hub.tick(T0 + 200 + UNWATCHED_VIEW_GRACE_MS - 1);
    expect(hub.viewCount(SITE)).toBe(1);
    hub.tick(T0 + 200 + UNWATCHED_VIEW_GRACE_MS);
    expect(hub.viewCount(SITE)).toBe(0);
    expect(hub.visitorBudget.usedBytes).toBe(used);
  });

  test("a reload within the grace finds the view as it was: same sequence", () => {
    const watched = new Set<string>([topicOf({ country: "FR" })]);
    const hub = new Hub(undefined, { isWatched: (topic) => watched.has(topic) });
    hub.record(SITE, hit(1, T0));
    const first = snapshotOf(hub, { country: "FR" }, T0);
    watched.clear();
    hub.tick(T0 + 1000);
    const again = snapshotOf(hub, { country: "FR" }, T0 + 2000);
    expect(again.epoch).toBe(first.epoch);
    expect(again.seq).toBe(first.seq);
  });

  test("a view opened late starts with the last 30 minutes: the same figures and feed as one open from the start", () => {
    const early = new Hub();
    const late = new Hub();
    const filters = { country: "DE", browser: "Safari" };
    early.record(SITE, hit(0, T0 - 1));
    open(early, filters, T0);
    const countries = ["DE", "FR", "DE", "US"];
    const browsers = ["Safari", "Safari", "Chrome"];
    let time = T0;
    // 40 minutes, a tick a second, a few hits each: visitors come back, move pages, leave.
    for (let second = 0; second < 40 * 60; second++) {
      time = T0 + second * 1000;
      for (let k = 0; k < 4; k++) {
        const visitor = (second * 7 + k * 13) % 900;
        const fields: Partial<Hit> = {
          country: countries[visitor % 4]!,
          browser: browsers[visitor % 3]!,
          page: `/p${(second + k) % 17}`,
          source: ["Google", "Direct / None"][visitor % 2]!,
          ...(k === 3 ? { name: second % 5 ? "engagement" : `Goal ${second % 3}` } : {}),
        };
        for (const hub of [early, late]) hub.record(SITE, hit(visitor, time + k, fields));
      }
      for (const hub of [early, late]) hub.tick(time + 500);
    }
    const expected = snapshotOf(early, filters, time + 500);
    const built = snapshotOf(late, filters, time + 500);
    expect(expected.stats.visitors.last30m).toBeGreaterThan(50);
    expect(built.stats).toEqual(expected.stats);
    expect(built.feed).toEqual(expected.feed);
    expect(built.feed.length).toBe(50);
  });
});

/** Hits of a few visitors a second, from several countries and pages, some of them events. */
function traffic(second: number): Hit[] {
  return Array.from({ length: 4 }, (_, k) => {
    const visitor = (second * 7 + k * 13) % 900;
    return hit(visitor, T0 + second * 1000 + k, {
      country: ["DE", "FR", "DE", "US"][visitor % 4]!,
      page: `/p${(second + k) % 17}`,
      source: ["Google", "Direct / None"][visitor % 2]!,
      ...(k === 3 ? { name: second % 5 ? "engagement" : `Goal ${second % 3}` } : {}),
    });
  });
}

/** What a dashboard holds after a snapshot and the tick frames of its topic since. */
function followed(snapshot: SnapshotFrame, frames: TickFrame[]): { stats: Stats; feed: unknown[]; seqs: number[] } {
  const stats = { ...snapshot.stats };
  const feed: unknown[] = [];
  for (const frame of frames) {
    Object.assign(stats, frame.changed);
    feed.push(...frame.feed);
  }
  return { stats, feed, seqs: frames.map((frame) => frame.seq) };
}

describe("a large view loads its visitors after its first snapshot", () => {
  const filters = { country: "DE" };
  const later = (limits = {}) => new Hub({ ...DEFAULT_HUB_LIMITS, loadAfterSnapshotFrom: 1, ...limits });
  const viewFrames = (hub: Hub, time: number) => tick(hub, time).filter((f) => f.topic === topicOf(filters)).map((f) => f.frame);

  test("its snapshot and the ticks after it show what a view built at once shows: hits while it loads counted once, the feed in order", () => {
    const atOnce = new Hub({ ...DEFAULT_HUB_LIMITS, loadAfterSnapshotFrom: Number.POSITIVE_INFINITY });
    const loadsLater = later();
    const both = [atOnce, loadsLater];
    // 40 minutes of history, a tick a second.
    for (let second = 0; second < 40 * 60; second++) {
      for (const hub of both) for (const each of traffic(second)) hub.record(SITE, each);
      for (const hub of both) hub.tick(T0 + second * 1000 + 500);
    }
    let time = T0 + 40 * 60_000;
    const [expected, built] = both.map((hub) => snapshotOf(hub, filters, time));
    expect(built!.stats.visitors.last30m).toBeGreaterThan(200);
    expect(built).toEqual(expected!);
    // Hits come before the first tick, and for a minute after it.
    const frames: TickFrame[][] = [[], []];
    for (let second = 40 * 60; second < 41 * 60; second++) {
      for (const hub of both) for (const each of traffic(second)) hub.record(SITE, each);
      time = T0 + second * 1000 + 500;
      both.forEach((hub, k) => frames[k]!.push(...viewFrames(hub, time)));
    }
    const [fromAtOnce, fromLater] = [followed(expected!, frames[0]!), followed(built!, frames[1]!)];
    expect(fromLater.feed.length).toBeGreaterThan(50);
    expect(fromLater).toEqual(fromAtOnce);
    expect(fromLater.seqs[0]).toBe(built!.seq + 1);
    // And its visitors are tracked now: the view reopened shows the same as the one built at once.
    expect(snapshotOf(loadsLater, filters, time).stats).toEqual(snapshotOf(atOnce, filters, time).stats);
  });

  test("a small view loads its visitors at once", () => {
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS, loadAfterSnapshotFrom: 3 });
    for (let visitor = 0; visitor < 2; visitor++) hub.record(SITE, hit(visitor, T0, { country: "DE" }));
    open(hub, filters, T0 + 1);
    const used = hub.visitorBudget.usedBytes;
    hub.tick(T0 + 2);
    expect(hub.visitorBudget.usedBytes).toBe(used);
    const large = later();
    for (let visitor = 0; visitor < 2; visitor++) large.record(SITE, hit(visitor, T0, { country: "DE" }));
    open(large, filters, T0 + 1);
    const before = large.visitorBudget.usedBytes;
    large.tick(T0 + 2);
    expect(large.visitorBudget.usedBytes).toBeGreaterThan(before);
  });

  // When the log drops a chunk the scan read, the codes it noted may name other labels by then;
  // when too many hits wait for the load, holding them costs more than the log does.
  for (const [name, meanwhile, chunks] of [
    ["the log drops chunks before the load", CHUNK_HITS * 2, 6],
    ["more hits than it keeps come before the load (the log dropping none)", MAX_HITS_WHILE_LOADING + 1, 64],
  ] as const) {
    test(`when ${name}, it is built from the log at the tick: as a view opened then would be`, () => {
      const limits = { hitLogMemory: CHUNK_BYTES * chunks };
      const loadsLater = later(limits);
      const atTheTick = new Hub({ ...DEFAULT_HUB_LIMITS, ...limits });
      const both = [loadsLater, atTheTick];
      const pages = (n: number) => `/page-${n % 50}`;
      for (let i = 0; i < CHUNK_HITS * 4; i++) for (const hub of both) hub.record(SITE, hit(i % 3000, T0 + i, { country: "DE", page: pages(i) }));
      const snapshot = snapshotOf(loadsLater, filters, T0 + CHUNK_HITS * 4);
      // New labels, which may take the codes of those of dropped chunks.
      for (let i = 0; i < meanwhile; i++) for (const hub of both) hub.record(SITE, hit(5000 + (i % 3000), T0 + CHUNK_HITS * 4 + i, { country: "DE", page: `/new-${i % 50}` }));
      const time = T0 + CHUNK_HITS * 4 + meanwhile;
      const frames = viewFrames(loadsLater, time);
      const expected = snapshotOf(atTheTick, filters, time);
      expect(followed(snapshot, frames).stats).toEqual(expected.stats);
      expect(loadsLater.visitorBudget.usedBytes).toBe(atTheTick.visitorBudget.usedBytes);
    });
  }
});
