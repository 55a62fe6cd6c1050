import { expect, test } from "bun:test";
import { chartModel, pageTitle, siteModel } from "../../ui/site-model.ts";
import { describeConnection } from "../../ui/status.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { feedItem, snapshot, stats, T0 } from "./fixtures.ts";

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
      feed: [feedItem("/cart", T0 - 3000), feedItem("/buy", T0, { n: "purchase" })],
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
    ["/cart", null, "3s ago"],
  ]);
  expect(model.feed[0]?.country).toBe("🇫🇷 France");
});

test("uses the server clock: a client 2 s behind still reads the newest bucket", () => {
  const state = applyFrame(initialState("shop.test"), snapshot({ time: T0, feed: [feedItem("/x", T0 - 5000)] }), T0 - 2000);
  expect(siteModel(state, T0 - 2000).feed[0]?.ago).toBe("5s ago");
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
