import { describe, expect, test } from "bun:test";
import { encodeSitesFrame, encodeSnapshotFrame, encodeTickFrame } from "../../src/core/frame-encoder.ts";
import { MAX_FRAME_BYTES, type FeedItem, type SnapshotFrame, type Stats, type TickFrame } from "../../src/core/protocol.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

function item(i: number, label = `/page/${i}`): FeedItem {
  return { t: 1_700_000_000_000 + i, n: "pageview", p: label, s: "Google", d: "Desktop", b: "Chrome", o: "Windows", c: "DE" };
}

function stats(label: (i: number) => string): Stats {
  const list = Array.from({ length: 10 }, (_, i): [string, number] => [label(i), 1000 - i]);
  const series = (n: number) => ({ step: 1000, last: 1_700_000_000_000, counts: Array.from({ length: n }, () => 99_999) });
  return {
    visitors: { last5m: 100_000, last30m: 100_000, capped: true },
    perMinute: series(30),
    perSecond: series(60),
    pages: list,
    sources: list,
    browsers: list,
    os: list,
    devices: list,
    countries: list,
    events: list,
  };
}

describe("encodeTickFrame", () => {
  test("round-trips as JSON with the feed in order", () => {
    const frame = JSON.parse(encodeTickFrame({ site: "a.test", epoch: 1, seq: 3, time: 5, changed: {} }, [item(1), item(2)], 0)) as TickFrame;
    expect(frame).toEqual({ type: "tick", site: "a.test", seq: 3, epoch: 1, time: 5, changed: {}, feed: [item(1), item(2)], more: 0 });
  });

  test("never exceeds the frame budget: feed items that do not fit are counted in more", () => {
    const feed = Array.from({ length: 100 }, (_, i) => item(i, "/€".repeat(100)));
    const text = encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: stats((i) => `/${"€".repeat(99)}${i}`) }, feed, 7);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as TickFrame;
    expect(frame.feed.length).toBeGreaterThan(0);
    expect(frame.feed.length + frame.more).toBe(107);
  });

  test("figures with pathological labels are shortened rather than overflowing", () => {
    const text = encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: stats((i) => `${'"'.repeat(400)}${i}`) }, [], 0);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect((JSON.parse(text) as TickFrame).changed.visitors?.last5m).toBe(100_000);
  });
});

describe("encodeSnapshotFrame", () => {
  test("keeps the newest feed items that fit, oldest first", () => {
    const feed = Array.from({ length: 500 }, (_, i) => item(i, `/${"x".repeat(90)}`));
    const text = encodeSnapshotFrame({ site: "a.test", epoch: 1, seq: 9, time: 0, stats: stats((i) => `/p${i}`) }, feed);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as SnapshotFrame;
    expect(frame.feed.at(-1)).toEqual(feed[499]!);
    expect(frame.feed[0]!.t).toBeLessThan(frame.feed.at(-1)!.t);
  });
});

describe("encodeSitesFrame", () => {
  test("halves the list until it fits, counting the rest in more", () => {
    const sites = Array.from({ length: 100 }, (_, i) => ({ site: `${"s".repeat(240)}${i}.test`, visitors: i, pageviews: i }));
    const text = encodeSitesFrame({ time: 0, sites, more: 5 });
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text);
    expect(frame.sites.length + frame.more).toBe(105);
  });
});
