import { describe, expect, test } from "bun:test";
import { MAX_CHUNK_EVENTS, MAX_CHUNK_SPAN_MS, chunkRows, chunksOf, decodeEvents, encodeEvents } from "../../src/storage/event-chunks.ts";
import type { StoredEvent } from "../../src/storage/event-store.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const at = (time: number, overrides: Partial<StoredEvent> = {}) => storedEvent({ time, ...overrides });
const paths = (events: StoredEvent[]) => events.map((event) => event.path);

describe("chunksOf", () => {
  test("a chunk per site, each keeping its events' order, with their earliest and latest times", () => {
    const chunks = chunksOf([
      at(30, { path: "/a1" }),
      at(10, { site: "b.org", path: "/b1" }),
      at(20, { path: "/a2" }),
      at(40, { site: "b.org", path: "/b2" }),
    ]);
    expect(chunks.map(({ site, first, last, events }) => [site, first, last, paths(events)])).toEqual([
      ["example.com", 20, 30, ["/a1", "/a2"]],
      ["b.org", 10, 40, ["/b1", "/b2"]],
    ]);
  });

  test("a site's events spanning more than the limit, after a clock step, are cut into chunks in order", () => {
    const chunks = chunksOf([at(0, { path: "/1" }), at(MAX_CHUNK_SPAN_MS, { path: "/2" }), at(MAX_CHUNK_SPAN_MS + 1, { path: "/3" }), at(0, { path: "/4" })]);
    expect(chunks.map(({ first, last, events }) => [first, last, paths(events)])).toEqual([
      [0, MAX_CHUNK_SPAN_MS, ["/1", "/2"]],
      [MAX_CHUNK_SPAN_MS + 1, MAX_CHUNK_SPAN_MS + 1, ["/3"]],
      [0, 0, ["/4"]],
    ]);
    const events = chunks.flatMap((chunk) => chunk.events);
    // The rows written are those cuts, each with its own times and count.
    expect(chunkRows(events).map(([site, first, last, count]) => [site, first, last, count])).toEqual([
      ["example.com", 0, MAX_CHUNK_SPAN_MS, 2],
      ["example.com", MAX_CHUNK_SPAN_MS + 1, MAX_CHUNK_SPAN_MS + 1, 1],
      ["example.com", 0, 0, 1],
    ]);
  });

  test("a chunk holds at most MAX_CHUNK_EVENTS events", () => {
    const events = Array.from({ length: MAX_CHUNK_EVENTS * 2 + 1 }, (_, i) => at(i, { path: `/${i}` }));
    const chunks = chunksOf(events);
    expect(chunks.map((chunk) => chunk.events.length)).toEqual([MAX_CHUNK_EVENTS, MAX_CHUNK_EVENTS, 1]);
    expect(chunks.flatMap((chunk) => paths(chunk.events))).toEqual(paths(events));
  });
});

describe("encodeEvents and decodeEvents", () => {
  test("events come back whole, props or none", () => {
    const events = [at(1, { props: { plan: "pro", "quote\"d": "🍷\n" } }), at(2, { visitor: 2 ** 48 - 1 })];
    expect(decodeEvents("example.com", encodeEvents(events))).toEqual(events);
  });

  test("a campaign comes back whole; an event without one stays without", () => {
    const campaign = { source: "news", medium: "email", campaign: "nov", content: "", term: "", ref: "" };
    const events = [at(1, { url: "https://example.com/a", campaign }), at(2)];
    const decoded = decodeEvents("example.com", encodeEvents(events));
    expect(decoded).toEqual(events);
    expect(decoded[0]!.campaign).toEqual(campaign);
    expect("campaign" in decoded[1]!).toBe(false);
  });

  test("a chunk written before campaigns were kept reads back as it was, full URL and all", () => {
    const old = JSON.stringify([[5, "pageview", 7, "https://example.com/a?utm_source=news&token=x", "/a", "https://r.test/?q=1", "news", "Firefox", "Linux", "Desktop", "FR", null]]);
    expect(decodeEvents("example.com", old)).toEqual([
      at(5, { visitor: 7, url: "https://example.com/a?utm_source=news&token=x", path: "/a", referrer: "https://r.test/?q=1", source: "news" }),
    ]);
  });

  test("a campaign that is not six strings is refused", () => {
    expect(() => encodeEvents([at(1, { campaign: { source: 5 } as never })])).toThrow(/campaign must be/);
  });

  test.each([
    ["a fractional time", { time: 1.5 }, /time must be an integer/],
    ["a missing visitor", { visitor: undefined as unknown as number }, /visitor must be an integer/],
    ["a site that is not a string", { site: null as unknown as string }, /site must be a string/],
    ["a numeric path", { path: 5 as unknown as string }, /path must be a string/],
    ["no props", { props: null as unknown as Record<string, string> }, /props must be an object/],
  ])("%s is refused with the field's name", (_label, bad, message) => {
    expect(() => encodeEvents([at(1), at(2, bad)])).toThrow(message);
    expect(() => chunkRows([at(1), at(2, bad)])).toThrow(message);
  });
});
