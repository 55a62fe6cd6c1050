import { describe, expect, test } from "bun:test";
import { encodeRewindFrame, encodeSitesFrame, encodeSnapshotFrame, encodeTickFrame } from "../../../src/core/wire/frame-encoder.ts";
import {
  MAX_FRAME_BYTES,
  SITE_LIST_MINUTES,
  SITE_LIST_SIZE,
  type FeedItem,
  type RewindFrame,
  type SiteSummary,
  type SitesFrame,
  type SnapshotFrame,
  type Stats,
  type TickFrame,
} from "../../../src/core/wire/protocol.ts";

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
    const text = encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: stats((i) => `/${"€".repeat(50)}${i}`) }, feed, 7);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as TickFrame;
    expect(frame.feed.length).toBeGreaterThan(0);
    expect(frame.feed.length).toBeLessThan(100);
    expect(frame.feed.length + frame.more).toBe(107);
  });

  test("figures with pathological labels are shortened rather than overflowing", () => {
    const text = encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: stats((i) => `${'"'.repeat(400)}${i}`) }, [], 0);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect((JSON.parse(text) as TickFrame).changed.visitors?.last5m).toBe(100_000);
  });
});

const TOP_LISTS = ["pages", "sources", "browsers", "os", "devices", "countries", "events"] as const;
const ordinary = (i: number) => `/ordinary/${i}`;
/** Labels as long as the protocol allows, in characters that take the most bytes in JSON. */
const heaviest = (i: number) => `${"🍷".repeat(90)}${'"'.repeat(9)}${i}`;

/** The figures as a tick frame and a snapshot frame (each with a feed item) show them, each checked to be within the budget. */
function bothFrames(figures: Stats): Array<Partial<Stats>> {
  return [
    encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: figures }, [item(1)], 0),
    encodeSnapshotFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, stats: figures }, [item(1)]),
  ].map((text) => {
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as TickFrame | SnapshotFrame;
    return frame.type === "tick" ? frame.changed : frame.stats;
  });
}

describe("figures too large for one frame", () => {
  test("one list of absurd labels does not cost the other lists their entries", () => {
    const figures = stats(ordinary);
    figures.browsers = Array.from({ length: 10 }, (_, i): [string, number] => [`${"B".repeat(12_000)}${i}`, 500 - i]);
    for (const shown of bothFrames(figures)) {
      for (const list of TOP_LISTS.filter((name) => name !== "browsers")) expect(shown[list]).toEqual(figures[list]);
      expect(shown.perSecond).toEqual(figures.perSecond);
    }
  });

  test("entries with absurd labels go, ordinary ones of the same list stay in their order", () => {
    const figures = stats(ordinary);
    figures.browsers = [["Chrome", 90], [`${"x".repeat(20_000)}`, 80], ["Firefox", 70], [`${"y".repeat(20_000)}`, 60], ["Safari", 50]];
    const frame = JSON.parse(encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: figures }, [], 0)) as TickFrame;
    expect(frame.changed.browsers).toEqual([["Chrome", 90], ["Firefox", 70], ["Safari", 50]]);
    expect(frame.changed.pages).toHaveLength(10);
  });

  test("the feed gives way to the figures before any top list is cut", () => {
    // Lists near the budget: without the feed they fit.
    const figures = stats((i) => `/${"p".repeat(180)}${i}`);
    expect(bytes(JSON.stringify(figures))).toBeGreaterThan(MAX_FRAME_BYTES - 2048);
    expect(bytes(JSON.stringify(figures))).toBeLessThan(MAX_FRAME_BYTES - 500);
    const feed = Array.from({ length: 10 }, (_, i) => item(i));
    const frame = JSON.parse(encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: figures }, feed, 0)) as TickFrame;
    for (const list of TOP_LISTS) expect(frame.changed[list]).toEqual(figures[list]);
    expect(frame.feed.length + frame.more).toBe(10);
  });

  test("when every list is heavy, each keeps its top entries and the frame is filled, not emptied", () => {
    const text = encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: stats(heaviest) }, [item(1)], 0);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(bytes(text)).toBeGreaterThan(MAX_FRAME_BYTES - 1024);
    const frame = JSON.parse(text) as TickFrame;
    const lengths = TOP_LISTS.map((list) => frame.changed[list]!.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
    for (const list of TOP_LISTS) expect(frame.changed[list]).toEqual(stats(heaviest)[list].slice(0, frame.changed[list]!.length));
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

describe("a view's window in frames", () => {
  test("a window other than 30 minutes is named next to the filters; 30 is never written", () => {
    const head = { site: "a.test", epoch: 1, seq: 2, time: 0 };
    const tick = encodeTickFrame({ ...head, filters: { country: "FR" }, window: 5, changed: {} }, [], 0);
    expect(tick).toStartWith('{"type":"tick","site":"a.test","filters":{"country":"FR"},"window":5,"seq":2');
    const snapshot = encodeSnapshotFrame({ ...head, window: 1, stats: stats((i) => `/p${i}`) }, []);
    expect(snapshot).toStartWith('{"type":"snapshot","site":"a.test","window":1,"seq":2');
    expect(encodeTickFrame({ ...head, window: 30, changed: {} }, [], 0)).toBe(encodeTickFrame({ ...head, changed: {} }, [], 0));
  });
});

describe("encodeRewindFrame", () => {
  test("names the view, the moment and the oldest hit held; keeps the newest feed items that fit, oldest first, within the budget", () => {
    const feed = Array.from({ length: 500 }, (_, i) => item(i, `/${"x".repeat(90)}`));
    const text = encodeRewindFrame({ site: "a.test", filters: { page: "/a" }, window: 5, at: 1_700_000_000_000, from: 1_699_999_000_000, stats: stats((i) => `/p${i}`) }, feed);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(text).toStartWith('{"type":"rewind","site":"a.test","filters":{"page":"/a"},"window":5,"at":1700000000000,"from":1699999000000,"stats":');
    const frame = JSON.parse(text) as RewindFrame;
    expect(frame.feed.at(-1)).toEqual(feed[499]!);
    expect(frame.feed.length).toBeGreaterThan(10);
    expect(frame.feed[0]!.t).toBeLessThan(frame.feed.at(-1)!.t);
  });

  test("figures of absurd labels are cut to fit, as a snapshot's are", () => {
    const heavy = stats((i) => `${i}${'"'.repeat(99)}`);
    expect(bytes(JSON.stringify(heavy))).toBeGreaterThan(MAX_FRAME_BYTES);
    const text = encodeRewindFrame({ site: "a.test", at: 0, from: 0, stats: heavy }, [item(1)]);
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as RewindFrame;
    expect(frame.stats.pages.length).toBeGreaterThan(0);
    expect(frame.stats.visitors).toEqual(heavy.visitors);
    expect("filters" in frame || "window" in frame).toBe(false);
  });
});

describe("encodeSitesFrame", () => {
  const fullMinutes = () => Array<number>(SITE_LIST_MINUTES).fill(999_999);
  /** Busiest first, as the hub lists them. */
  const summaries = (name: (i: number) => string, minutes: () => number[]): SiteSummary[] =>
    Array.from({ length: SITE_LIST_SIZE }, (_, i) => ({ site: name(i), visitors: 100_000 - i, pageviews: 9_999_999 - i, minutes: minutes() }));

  test("a full list of ordinary names keeps every site and every sparkline", () => {
    const sites = summaries((i) => `shop-${i}.example.com`, () => Array.from({ length: SITE_LIST_MINUTES }, (_, m) => 900 + m));
    const text = encodeSitesFrame({ time: 0, sites, more: 0 });
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(JSON.parse(text)).toEqual({ type: "sites", time: 0, sites, more: 0 });
  });

  test("the longest names with full sparklines stay under the budget: the quietest sites lose their sparklines first, then their places", () => {
    const sites = summaries((i) => `${"s".repeat(240)}${String(i).padStart(3, "0")}.test`, fullMinutes);
    const text = encodeSitesFrame({ time: 0, sites, more: 5 });
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as SitesFrame;
    expect(frame.sites.length + frame.more).toBe(SITE_LIST_SIZE + 5);
    expect(frame.sites.length).toBeGreaterThan(SITE_LIST_SIZE / 3);
    expect(frame.sites.map((site) => site.site)).toEqual(sites.slice(0, frame.sites.length).map((site) => site.site));
    // Only the quietest gave up their sparklines, and only as many as needed.
    const withSparkline = frame.sites.filter((site) => site.minutes !== undefined).length;
    expect(frame.sites.slice(0, withSparkline).every((site) => site.minutes?.length === SITE_LIST_MINUTES)).toBe(true);
    expect(frame.sites.slice(withSparkline).every((site) => site.minutes === undefined)).toBe(true);
  });

  test("long names that fit without sparklines keep their places, the busiest their sparklines", () => {
    const sites = summaries((i) => `${"n".repeat(80)}${i}.test`, fullMinutes);
    const text = encodeSitesFrame({ time: 0, sites, more: 0 });
    expect(bytes(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const frame = JSON.parse(text) as SitesFrame;
    expect(frame.sites).toHaveLength(SITE_LIST_SIZE);
    expect(frame.more).toBe(0);
    expect(frame.sites[0]!.minutes).toEqual(fullMinutes());
    expect(frame.sites.at(-1)!.minutes).toBeUndefined();
  });
});

describe("the campaign, link, download and event-property sections", () => {
  const NEW_LISTS = ["utmSources", "utmMediums", "utmCampaigns", "outboundLinks", "downloads"] as const;
  /** Every section full: 12 lists of 10, and 10 events with 5 properties each, all labels 100 characters. */
  function fullStats(label: (i: number) => string): Stats {
    const figures = stats(label);
    const list = (prefix: string, n: number) => Array.from({ length: n }, (_, i): [string, number] => [`${prefix}${label(i)}`.slice(0, 100), 1000 - i]);
    for (const name of NEW_LISTS) figures[name] = list(name, 10);
    figures.eventProps = Object.fromEntries(Array.from({ length: 10 }, (_, e) => [`${e}`.repeat(100), list(`k${e}=`, 5)]));
    return figures;
  }
  const label100 = (i: number) => `https://partner.example/${i}/`.padEnd(100, "x");

  test("full of 100-character labels, tick and snapshot frames stay within the budget and keep every section's top entries", () => {
    const figures = fullStats(label100);
    expect(bytes(JSON.stringify(figures))).toBeGreaterThan(MAX_FRAME_BYTES);
    for (const shown of bothFrames(figures)) {
      for (const list of [...TOP_LISTS, ...NEW_LISTS]) {
        expect(shown[list]!.length).toBeGreaterThanOrEqual(3);
        expect(shown[list]).toEqual(figures[list]!.slice(0, shown[list]!.length));
      }
      expect(Object.keys(shown.eventProps!)).toEqual(Object.keys(figures.eventProps!));
      for (const [name, props] of Object.entries(shown.eventProps!)) {
        expect(props.length).toBeGreaterThanOrEqual(1);
        expect(props).toEqual(figures.eventProps![name]!.slice(0, props.length));
      }
    }
  });

  test("an event's absurd properties give way before the other lists lose entries", () => {
    const figures = fullStats(ordinary);
    figures.eventProps = { Signup: [["plan=pro", 9], [`q=${'"'.repeat(20_000)}`, 8], ["plan=free", 7]] };
    const frame = JSON.parse(encodeTickFrame({ site: "a.test", epoch: 1, seq: 1, time: 0, changed: figures }, [], 0)) as TickFrame;
    expect(frame.changed.eventProps).toEqual({ Signup: [["plan=pro", 9], ["plan=free", 7]] });
    for (const list of [...TOP_LISTS, ...NEW_LISTS]) expect(frame.changed[list]).toEqual(figures[list]);
  });
});
