import { describe, expect, test } from "bun:test";
import { chartModel, pageTitle, siteModel } from "../../ui/site-model.ts";
import { describeConnection } from "../../ui/status.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

const loaded = () =>
  applyFrame(
    initialState("shop.test"),
    snapshot({
      time: T0,
      stats: stats({
        visitors: { last5m: 4, last30m: 10, capped: false },
        perMinute: { step: 60_000, last: T0 - 60_000, counts: [2, 5] },
        perSecond: { step: 1000, last: T0, counts: [1] },
        pages: [["/", 2], ["/cart", 1]],
        sources: [["Google", 5]],
        events: [["signup", 2]],
        countries: [["FR", 6], ["Unknown", 1]],
      }),
      feed: [feedItem("/cart", T0 - 13_000), feedItem("/buy", T0 - 3000, { n: "purchase" })],
    }),
    T0,
  );

test("headline numbers, charts on the server clock, lists with shares, feed rows", () => {
  const model = siteModel(loaded(), T0 + 500);
  expect(model.currentVisitors).toBe(4);
  expect(model.visitors30m).toBe(10);
  expect(model.perMinute.bars).toHaveLength(30);
  expect(model.perMinute.bars.slice(-3).map((b) => b.count)).toEqual([2, 5, 0]);
  expect(model.pageviews30m).toBe(7);
  expect(model.perSecond.bars).toHaveLength(60);
  expect(model.perSecond.bars.at(-1)?.count).toBe(1);
  expect(model.perSecond.bars.at(-1)?.height).toBe(100);
  const pages = model.lists.find((l) => l.testid === "top-pages");
  expect(pages?.rows.map((r) => r.percent)).toEqual(["50%", "25%"]); // of 4 current visitors
  expect(model.lists.find((l) => l.testid === "top-sources")?.rows[0]?.percent).toBe("50%"); // of 10
  expect(model.lists.map((l) => l.testid)).toEqual(["top-pages", "top-sources", "top-browsers", "top-os", "top-devices", "top-countries", "top-events"]);
  expect(model.lists.find((l) => l.testid === "top-countries")?.rows.map((r) => r.label)).toEqual(["🇫🇷 France", "Unknown"]);
  expect(model.feed.map((r) => [r.path, r.event, r.ago])).toEqual([
    ["/buy", "purchase", "now"],
    ["/cart", null, "10s ago"],
  ]);
  expect(model.feed[0]?.country).toBe("🇫🇷 France");
});

test("uses the server clock: a client 2 s behind still reads the newest bucket", () => {
  const state = applyFrame(initialState("shop.test"), snapshot({ time: T0, feed: [feedItem("/x", T0 - 11_000)] }), T0 - 2000);
  expect(siteModel(state, T0 - 2000).feed[0]?.ago).toBe("10s ago");
});

test("pageTitle", () => {
  expect(pageTitle(initialState(null))).toBe("Pulse");
  expect(pageTitle(initialState("shop.test"))).toBe("shop.test · Pulse");
  expect(pageTitle(loaded())).toBe("4 now · shop.test · Pulse");
});

test("describeConnection", () => {
  expect(describeConnection({ status: "open" }, 0)).toEqual({ word: "live", detail: "" });
  expect(describeConnection({ status: "reconnecting", delay: 4000, retryAt: 10_000, attempt: 3 }, 7_200)).toEqual({
    word: "reconnecting",
    detail: "in 3s",
  });
  expect(describeConnection({ status: "closed", code: 1008, reason: "unknown command" }, 0).word).toBe("closed");
});

test("chartModel labels the middle of the y axis only when it is a whole number", () => {
  const series = (counts: number[]) => ({ step: 1000, last: T0, counts });
  expect(chartModel(series([0, 0]), T0, 2)).toMatchObject({ max: 1, half: null, total: 0 });
  expect(chartModel(series([3, 1]), T0, 2)).toMatchObject({ max: 5, half: null, total: 4 });
  expect(chartModel(series([7, 1]), T0, 2)).toMatchObject({ max: 10, half: 5 });
  expect(chartModel(series([7, 0]), T0, 2).bars.map((b) => b.height)).toEqual([70, 0]);
});

test("a chart's bars keep their places as the window slides: one bar leaves, one comes, the view moves one bar", () => {
  const series = { step: 1000, last: T0, counts: [1, 2, 3, 4] };
  const slots = (now: number) => chartModel(series, now, 4).bars.map((bar): [number, number] => [bar.t, bar.slot]);
  const before = new Map(slots(T0));
  const after = slots(T0 + 1000);
  // Every bar both charts show is in the same place; the new one comes next to the newest.
  for (const [t, slot] of after.slice(0, -1)) expect(slot).toBe(before.get(t)!);
  expect(after[3]![1]).toBe(after[2]![1] + 1);
  // Places stay small numbers, whatever the clock: a base that moves once every `length` bars.
  for (let shift = 0; shift < 12; shift++) {
    for (const [, slot] of slots(T0 + shift * 1000)) {
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(8);
    }
  }
});

test("campaign, link and download lists appear only when they have rows, after the custom events", () => {
  const quiet = siteModel(loaded(), T0);
  expect(quiet.lists.map((l) => l.title)).not.toContain("UTM sources");
  const state = applyFrame(
    initialState("shop.test"),
    snapshot({
      time: T0,
      stats: stats({
        utmSources: [["newsletter", 3]],
        utmMediums: [],
        utmCampaigns: [["winter", 2], ["spring", 1]],
        outboundLinks: [["https://partner.example/", 4]],
        downloads: [["https://shop.test/catalogue.pdf", 1]],
      }),
    }),
    T0,
  );
  const model = siteModel(state, T0);
  expect(model.lists.slice(7).map((l) => [l.title, l.unit, l.rows.map((r) => [r.label, r.count])])).toEqual([
    ["UTM sources", "visits, last 30 min", [["newsletter", 3]]],
    ["UTM campaigns", "visits, last 30 min", [["winter", 2], ["spring", 1]]],
    ["Outbound links", "clicks, last 30 min", [["https://partner.example/", 4]]],
    ["File downloads", "downloads, last 30 min", [["https://shop.test/catalogue.pdf", 1]]],
  ]);
});

test("a custom event's properties ride on its row, split at the first = with their share of the event's count", () => {
  const state = applyFrame(
    initialState("shop.test"),
    snapshot({
      time: T0,
      stats: stats({ events: [["Signup", 4], ["Ping", 2]], eventProps: { Signup: [["plan=pro", 3], ["query=a=b", 1]] } }),
    }),
    T0,
  );
  const events = siteModel(state, T0).lists.find((l) => l.testid === "top-events")!;
  expect(events.rows[0]!.props).toEqual([
    { key: "plan", value: "pro", count: 3, percent: "75%" },
    { key: "query", value: "a=b", count: 1, percent: "25%" },
  ]);
  expect(events.rows[1]!.props).toBeUndefined();
});

test("a tick's eventProps and lists replace the old ones; a server that sends none of them breaks nothing", () => {
  const { utmSources, utmMediums, utmCampaigns, outboundLinks, downloads, eventProps, ...before } = stats({ events: [["signup", 2]] });
  const old = applyFrame(initialState("shop.test"), snapshot({ time: T0, stats: before }), T0);
  expect(siteModel(old, T0).lists.map((l) => l.testid).at(-1)).toBe("top-events");
  expect(siteModel(old, T0).lists.at(-1)!.rows[0]!.props).toBeUndefined();
  const next = applyFrame(loaded(), tick(11, { changed: { downloads: [["/a.pdf", 1]], eventProps: { signup: [["plan=pro", 2]] } } }), T0 + 11_000);
  const model = siteModel(next, T0 + 11_000);
  expect(model.lists.find((l) => l.testid === "top-downloads")?.rows.map((r) => r.label)).toEqual(["/a.pdf"]);
  expect(model.lists.find((l) => l.testid === "top-events")?.rows[0]?.props?.[0]?.value).toBe("pro");
});

describe("the window", () => {
  const windowed = (window: 1 | 5 | 30, extra: Record<string, unknown> = {}) =>
    applyFrame(
      initialState("shop.test", { window }),
      { ...snapshot({ time: T0, stats: stats({ visitors: { last5m: 2, last30m: 3, capped: false }, perMinute: { step: 60_000, last: T0, counts: [4, 1, 2, 3] }, sources: [["Google", 3]] }) }), ...extra },
      T0,
    );

  test("every label says the window the frame counts: now is the last min(5, W) minutes", () => {
    const five = siteModel(windowed(5, { window: 5 }), T0);
    expect(five.window).toBe(5);
    expect([five.labels.visitorsNow, five.labels.visitors, five.labels.pageviews]).toEqual(["Visitors now (last 5 min)", "Visitors, last 5 min", "Pageviews, last 5 min"]);
    expect(five.lists.find((l) => l.testid === "top-sources")?.unit).toBe("visitors, last 5 min");
    expect(five.lists.find((l) => l.testid === "top-pages")?.unit).toBe("visitors now");
    const one = siteModel(windowed(1, { window: 1 }), T0);
    expect([one.labels.visitorsNow, one.labels.visitors]).toEqual(["Visitors now (last 1 min)", "Visitors, last 1 min"]);
    expect(one.lists.find((l) => l.testid === "top-events")?.unit).toBe("events, last 1 min");
    const thirty = siteModel(windowed(30), T0);
    expect([thirty.labels.visitorsNow, thirty.labels.visitors, thirty.labels.pageviews]).toEqual(["Visitors now (last 5 min)", "Visitors, last 30 min", "Pageviews, last 30 min"]);
  });

  test("a frame without a window counts 30 minutes, whatever the page asked for: the labels say what the figures are", () => {
    expect(siteModel(windowed(5), T0).labels.visitors).toBe("Visitors, last 30 min");
  });

  test("the per-minute chart shows the window, never fewer than 5 minutes", () => {
    expect(siteModel(windowed(1, { window: 1 }), T0).perMinute.bars).toHaveLength(5);
    expect(siteModel(windowed(5, { window: 5 }), T0).perMinute.bars).toHaveLength(5);
    expect(siteModel(windowed(30), T0).perMinute.bars).toHaveLength(30);
    expect(siteModel(windowed(1, { window: 1 }), T0).labels.chartSince).toBe("5 min ago");
  });

  test("pageviews: the server's count of the window when it sends one, else the window's minutes of the series", () => {
    const counted = windowed(5, { window: 5 });
    expect(siteModel({ ...counted, stats: { ...counted.stats, pageviews: 42 } as typeof counted.stats }, T0).pageviews30m).toBe(42);
    expect(siteModel(windowed(30), T0).pageviews30m).toBe(10);
    expect(siteModel(windowed(1, { window: 1 }), T0).pageviews30m).toBe(3);
  });
});
