import { describe, expect, test } from "bun:test";
import type { Campaign } from "../../../src/core/ingest/accepted-event.ts";
import { HitLog, HitLogPool } from "../../../src/core/stats/hit-log.ts";
import { Hub } from "../../../src/core/stats/hub.ts";
import { SiteStats, type Hit } from "../../../src/core/stats/site-stats.ts";
import { figuresFromLog, viewFromLog } from "../../../src/core/stats/view-history.ts";
import { VisitorBudget } from "../../../src/core/stats/visitor-budget.ts";
import type { SnapshotFrame } from "../../../src/core/wire/protocol.ts";
import { filtersFromObject, matcherOf, type CanonicalFilters, type ViewFilters, type ViewWindow } from "../../../src/core/wire/view-filters.ts";

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const COUNTRIES = ["FR", "DE", "US", "FR", "JP"];
const DEVICES = ["Desktop", "Mobile", "Tablet"];
const PAGES = ["/", "/pricing", "/blog/a", "/blog/b", "/docs"];
const SOURCES = ["Google", "Direct / None", "news.example"];

function campaign(source: string): Campaign {
  return { source, medium: "email", campaign: "spring", content: "", term: "", ref: "" };
}

/**
 * An hour of traffic, about 6 hits a second: visitors come back, move pages, send engagement and
 * custom events with properties, and some pageviews name a campaign; some arrive out of order.
 */
function trafficHour(): Hit[] {
  let state = 7;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const hits: Hit[] = [];
  for (let k = 0; k < 60 * 60 * 6; k++) {
    const visitor = 1e12 + Math.floor(next() * 3000) * 7919;
    const roll = next();
    const time = T0 + Math.floor(k / 6) * 1000 + (k % 6) * 150 - (roll < 0.02 ? 4000 : 0);
    const name = roll < 0.15 ? "engagement" : roll < 0.22 ? "Signup" : roll < 0.25 ? "Outbound Link: Click" : "pageview";
    const props: Record<string, string> = name === "Signup" ? { plan: next() < 0.5 ? "pro" : "free" } : name === "pageview" ? {} : { url: `https://example.org/${visitor % 4}` };
    hits.push({
      time,
      visitor,
      name,
      page: PAGES[Math.floor(next() * PAGES.length)]!,
      source: SOURCES[visitor % 3]!,
      browser: visitor % 2 ? "Firefox" : "Chrome",
      os: "Linux",
      device: DEVICES[visitor % 3]!,
      country: COUNTRIES[visitor % 5]!,
      props,
      campaign: name === "pageview" && roll > 0.9 ? campaign(roll > 0.95 ? "newsletter" : "mastodon") : undefined,
    });
  }
  return hits;
}

const HOUR = trafficHour();

function logOf(hits: readonly Hit[]): HitLog {
  const log = new HitLog(new HitLogPool(2 ** 40));
  for (const hit of hits) log.append(hit);
  return log;
}

/** The figures and feed, at `at`, of a view that recorded the matching hits of (from, to] live, a tick a second. */
function recordedLive(hits: readonly Hit[], filters: ViewFilters, from: number, to: number, at = to, window: ViewWindow = 30) {
  const live = new SiteStats("shop.test", undefined, undefined, window);
  const matches = matcherOf(filters);
  let second = Number.NaN;
  for (const hit of hits) {
    if (hit.time <= from || hit.time > to || !matches(hit)) continue;
    if (Math.floor(hit.time / 1000) !== second) live.takePending();
    second = Math.floor(hit.time / 1000);
    live.record(hit);
  }
  live.takePending();
  live.advance(at);
  return { stats: live.stats(at), feed: live.recentFeed() };
}

function builtFromLog(log: HitLog, filters: ViewFilters, from: number, to: number) {
  const built = viewFromLog(log, { filters, from, to }, () => new SiteStats("shop.test"));
  built.takePending();
  return { stats: built.stats(to), feed: built.recentFeed() };
}

describe("a rewind's figures from the hit log", () => {
  const log = logOf(HOUR);
  const filterSets: ViewFilters[] = [{}, { country: "FR" }, { device: "Mobile", page: "/" }, { event: "Signup" }];
  const ends = [T0 + 30 * MINUTE, T0 + 45 * MINUTE + 500, T0 + 60 * MINUTE];

  for (const window of [30, 5, 1] as const) {
    for (const filters of filterSets) {
      test(`equal the same hits recorded live over ${window} min: ${JSON.stringify(filters)} at three times`, () => {
        for (const to of ends) {
          const from = to - window * MINUTE;
          const expected = recordedLive(HOUR, filters, from, to, to, window);
          const rewound = figuresFromLog(log, { filters, from, to }, new SiteStats("shop.test", undefined, new VisitorBudget(0), window));
          expect(rewound.stats.visitors.last30m).toBeGreaterThan(0);
          expect(rewound.stats).toEqual(expected.stats);
          expect(rewound.feed).toEqual([...expected.feed]);
        }
      });
    }
  }

  test("are exact where the live figures are estimates: a rewind spends no visitor budget", () => {
    const to = T0 + 40 * MINUTE;
    const rewound = figuresFromLog(log, { filters: {}, from: to - 30 * MINUTE, to }, new SiteStats("shop.test", undefined, new VisitorBudget(0)));
    expect(rewound.stats.visitors).toEqual(recordedLive(HOUR, {}, to - 30 * MINUTE, to).stats.visitors);
    expect(rewound.stats.visitors.capped).toBe(false);
  });
});

describe("a view built from the hit log", () => {
  const log = logOf(HOUR);
  const filterSets: ViewFilters[] = [{}, { country: "FR" }, { device: "Mobile", page: "/" }, { event: "Signup" }, { source: "Google", browser: "Firefox" }];
  const ends = [T0 + 30 * MINUTE, T0 + 45 * MINUTE + 500, T0 + 60 * MINUTE];

  for (const filters of filterSets) {
    test(`equals the same hits recorded live: ${JSON.stringify(filters)} at three times`, () => {
      for (const to of ends) {
        const from = to - 30 * MINUTE;
        const expected = recordedLive(HOUR, filters, from, to);
        const built = builtFromLog(log, filters, from, to);
        expect(built.stats.visitors.last30m).toBeGreaterThan(0);
        expect(built.stats).toEqual(expected.stats);
        expect(built.feed).toEqual(expected.feed);
      }
    });
  }

  test("an open end takes hits stamped later too, and the caller moves the figures on to its now", () => {
    // Its clock says 50 minutes; another process stamped hits up to 10 minutes later.
    const now = T0 + 50 * MINUTE;
    const built = viewFromLog(log, { filters: { country: "DE" }, from: now - 30 * MINUTE, to: Number.POSITIVE_INFINITY, asOf: now }, () => new SiteStats("shop.test"));
    built.advance(now);
    built.takePending();
    const expected = recordedLive(HOUR, { country: "DE" }, now - 30 * MINUTE, Number.POSITIVE_INFINITY, now);
    expect(built.stats(now)).toEqual(expected.stats);
    expect(built.recentFeed()).toEqual(expected.feed);
    expect(built.recentFeed().at(-1)!.t).toBeGreaterThan(now);
  });

  test("shows campaigns, event properties and feed properties as the live view does", () => {
    const to = T0 + 40 * MINUTE;
    const built = builtFromLog(log, {}, to - 30 * MINUTE, to);
    expect(built.stats.utmSources!.map(([label]) => label).sort()).toEqual(["mastodon", "newsletter"]);
    expect(built.stats.utmCampaigns![0]![0]).toBe("spring");
    expect(built.stats.eventProps!.Signup!.map(([label]) => label).sort()).toEqual(["plan=free", "plan=pro"]);
    expect(built.stats.outboundLinks).toHaveLength(4);
    expect(built.feed.some((item) => item.props?.plan !== undefined)).toBe(true);
  });

  test("a filter value no logged hit has gives empty figures", () => {
    const built = builtFromLog(log, { country: "ZZ" }, T0, T0 + 30 * MINUTE);
    expect(built.stats.visitors.last30m).toBe(0);
    expect(built.feed).toEqual([]);
  });

  test("past the visitors' budget, it counts hit by hit into a fresh SiteStats: estimated and capped, within the budget", () => {
    const budget = new VisitorBudget(200 * 1024);
    let made = 0;
    const built = viewFromLog(log, { filters: {}, from: T0, to: T0 + 30 * MINUTE }, () => {
      made++;
      return new SiteStats("shop.test", undefined, budget);
    });
    const stats = built.stats(T0 + 30 * MINUTE);
    expect(made).toBe(2);
    expect(stats.visitors.capped).toBe(true);
    expect(Math.abs(stats.visitors.last30m - recordedLive(HOUR, {}, T0, T0 + 30 * MINUTE).stats.visitors.last30m)).toBeLessThan(150);
    expect(budget.usedBytes).toBeLessThanOrEqual(budget.maxBytes);
  });
});

test("a filtered view opened late shows its hits' campaigns and properties, as the site's figures do", () => {
  const hub = new Hub();
  const base = { visitor: 1, page: "/", source: "newsletter", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR" };
  hub.record("shop.test", { ...base, time: T0, name: "pageview", props: {}, campaign: campaign("newsletter") });
  hub.record("shop.test", { ...base, time: T0 + 1000, name: "Signup", props: { plan: "pro" } });
  const opening = hub.openView("shop.test", filtersFromObject({ country: "FR" }) as CanonicalFilters, T0 + 2000);
  if (!("snapshot" in opening)) throw new Error(opening.refused);
  const snapshot = JSON.parse(opening.snapshot) as SnapshotFrame;
  expect(snapshot.stats.utmSources).toEqual([["newsletter", 1]]);
  expect(snapshot.stats.utmCampaigns).toEqual([["spring", 1]]);
  expect(snapshot.stats.eventProps).toEqual({ Signup: [["plan=pro", 1]] });
  expect(snapshot.feed.at(-1)).toMatchObject({ n: "Signup", props: { plan: "pro" } });
});
