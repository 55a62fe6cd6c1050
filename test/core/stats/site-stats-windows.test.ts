import { describe, expect, test } from "bun:test";
import { SiteStats, type Hit } from "../../../src/core/stats/site-stats.ts";
import { ActiveVisitors } from "../../../src/core/stats/active-visitors.ts";
import { VisitorBudget } from "../../../src/core/stats/visitor-budget.ts";
import { DEFAULT_SITE_LIMITS } from "../../../src/core/stats/site-stats.ts";
import type { ViewWindow } from "../../../src/core/wire/view-filters.ts";

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;

function hit(visitor: number, minutesAgo: number, fields: Partial<Hit> = {}): Hit {
  return {
    time: NOW - minutesAgo * MINUTE,
    visitor,
    name: "pageview",
    page: "/",
    source: "Direct / None",
    browser: "Firefox",
    os: "Linux",
    device: "Desktop",
    country: "FR",
    props: {},
    ...fields,
  };
}

/** The figures at NOW of a window, after the same hits. */
function statsAfter(window: ViewWindow, hits: Hit[]) {
  const stats = new SiteStats("w.test", DEFAULT_SITE_LIMITS, new VisitorBudget(Number.POSITIVE_INFINITY), window);
  for (const h of hits) stats.record(h);
  stats.advance(NOW);
  return stats.stats(NOW);
}

describe("SiteStats over a window of 1, 5 or 30 minutes", () => {
  // A visitor 3 minutes ago on /three (from Google, in Germany), one 20 minutes ago, one 30 s ago on /now.
  const hits = [
    hit(1, 20, { page: "/twenty", source: "Bing", country: "US" }),
    hit(2, 3, { page: "/three", source: "Google", country: "DE" }),
    hit(3, 0.5, { page: "/now" }),
  ];

  test("visitors now are those of the last min(5, W) minutes; visitors of the window those of the last W", () => {
    expect(statsAfter(1, hits).visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    expect(statsAfter(5, hits).visitors).toEqual({ last5m: 2, last30m: 2, capped: false });
    expect(statsAfter(30, hits).visitors).toEqual({ last5m: 2, last30m: 3, capped: false });
  });

  test("pages are visitors now; sources and countries are the window's visitors", () => {
    const one = statsAfter(1, hits);
    expect(one.pages).toEqual([["/now", 1]]);
    expect(one.sources).toEqual([["Direct / None", 1]]);
    const five = statsAfter(5, hits);
    expect(five.pages).toEqual([["/now", 1], ["/three", 1]]);
    expect(five.countries).toEqual([["DE", 1], ["FR", 1]]);
    const thirty = statsAfter(30, hits);
    expect(thirty.pages).toEqual([["/now", 1], ["/three", 1]]);
    expect(thirty.sources).toEqual([["Bing", 1], ["Direct / None", 1], ["Google", 1]]);
  });

  test("events and pageviews 2 minutes ago count in W=5 and W=30, not in W=1", () => {
    const events = [
      hit(4, 2, { name: "Signup" }),
      hit(4, 2),
      hit(5, 2),
      hit(6, 0.2, { name: "Signup" }),
      hit(6, 0.2),
      hit(7, 10, { name: "Purchase" }),
      hit(7, 10),
    ];
    const one = statsAfter(1, events);
    expect(one.events).toEqual([["Signup", 1]]);
    expect(one.pageviews).toBe(1);
    const five = statsAfter(5, events);
    expect(five.events).toEqual([["Signup", 2]]);
    expect(five.pageviews).toBe(3);
    const thirty = statsAfter(30, events);
    expect(thirty.events).toEqual([["Signup", 2], ["Purchase", 1]]);
    expect(thirty.pageviews).toBe(4);
  });

  test("campaigns and links count over the window too", () => {
    const tagged = [
      hit(8, 3, { campaign: { source: "newsletter", medium: "email", campaign: "spring", content: "", term: "", ref: "" } }),
      hit(9, 0.5, { name: "Outbound Link: Click", props: { url: "https://elsewhere.example/" } }),
    ];
    const one = statsAfter(1, tagged);
    expect(one.utmSources).toEqual([]);
    expect(one.outboundLinks).toEqual([["https://elsewhere.example/", 1]]);
    expect(statsAfter(5, tagged).utmSources).toEqual([["newsletter", 1]]);
  });

  test("the charts are the same whatever the window", () => {
    const one = statsAfter(1, hits);
    const thirty = statsAfter(30, hits);
    expect(one.perMinute).toEqual(thirty.perMinute);
    expect(one.perSecond).toEqual(thirty.perSecond);
    expect(thirty.perMinute.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });

  test("a 1-minute window slides every 2 seconds: a pageview leaves it within 62 s, and its leaving is a change", () => {
    const stats = new SiteStats("w.test", DEFAULT_SITE_LIMITS, new VisitorBudget(Number.POSITIVE_INFINITY), 1);
    stats.record(hit(1, 0));
    // The visitor stays (engagement), so only the pageview's leaving changes a figure.
    stats.record(hit(1, -50 / 60, { name: "engagement" }));
    stats.takePending();
    expect(stats.advance(NOW + 50_000)).toBe(false);
    expect(stats.stats(NOW + 50_000).pageviews).toBe(1);
    expect(stats.advance(NOW + 62_000)).toBe(true);
    expect(stats.stats(NOW + 62_000).pageviews).toBe(0);
    expect(stats.stats(NOW + 62_000).visitors.last30m).toBe(1);
  });

  test("over 30 minutes too, a pageview leaving the window is a change, though its visitor stays", () => {
    const stats = new SiteStats("w.test");
    stats.record(hit(1, 0));
    stats.record(hit(1, -29, { name: "engagement" }));
    stats.takePending();
    expect(stats.advance(NOW + 29.5 * MINUTE)).toBe(false);
    expect(stats.advance(NOW + 31 * MINUTE)).toBe(true);
    expect(stats.stats(NOW + 31 * MINUTE)).toMatchObject({ pageviews: 0, visitors: { last30m: 1 } });
  });

  test("the default window's pageviews are the 30 minutes' (perMinute's total)", () => {
    const stats = statsAfter(30, [hit(1, 29), hit(2, 31), hit(3, 0)]);
    expect(stats.pageviews).toBe(2);
  });
});

describe("ActiveVisitors over a window", () => {
  const labels = { page: "/", source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR" };

  test.each([
    [1, 0, 0],
    [5, 1, 1],
    [30, 1, 1],
  ] as const)("W=%p: a visitor seen 3 minutes ago is now %p and in the window %p", (window, now, inWindow) => {
    const visitors = new ActiveVisitors(new VisitorBudget(Number.POSITIVE_INFINITY), window);
    visitors.touch(1, NOW - 3 * MINUTE, labels);
    visitors.expire(NOW);
    expect(visitors.last5m(NOW)).toBe(now);
    expect(visitors.last30m(NOW)).toBe(inWindow);
  });

  test("past the budget, a 1-minute window estimates its visitors from the sketch over 1 minute", () => {
    const visitors = new ActiveVisitors(new VisitorBudget(0), 1);
    for (let id = 1; id <= 200; id++) visitors.touch(id, NOW - 3 * MINUTE, labels);
    for (let id = 1001; id <= 1100; id++) visitors.touch(id, NOW - 10_000, labels);
    visitors.expire(NOW);
    expect(visitors.capped).toBe(true);
    const estimate = visitors.last30m(NOW);
    expect(estimate).toBeGreaterThan(90);
    expect(estimate).toBeLessThan(110);
    expect(visitors.last5m(NOW)).toBe(estimate);
  });
});
