import { describe, expect, test } from "bun:test";
import { ACTIVE_MS, ActiveVisitors, RECENT_MS, type VisitorHit } from "../../src/core/active-visitors.ts";

const hit = (page: string, source = "Direct / None"): VisitorHit => ({ page, source, browser: "Firefox", os: "Linux", device: "Desktop", country: "FR" });

describe("ActiveVisitors", () => {
  test("counts distinct visitors, not hits", () => {
    const visitors = new ActiveVisitors();
    visitors.touch(1, 0, hit("/"));
    visitors.touch(1, 1000, hit("/about"));
    visitors.touch(2, 2000, hit("/"));
    expect(visitors.last5m).toBe(2);
    expect(visitors.last30m).toBe(2);
    expect(visitors.pages.top(10)).toEqual([["/", 1], ["/about", 1]]);
  });

  test("hits on the page a visitor is already on count them once, and a move after them still moves them", () => {
    const visitors = new ActiveVisitors();
    for (let t = 0; t < 5; t++) visitors.touch(1, t * 1000, hit("/a"));
    expect(visitors.pages.top(10)).toEqual([["/a", 1]]);
    visitors.touch(1, 6000, hit("/b"));
    visitors.touch(1, 7000, hit("/b"));
    expect(visitors.pages.top(10)).toEqual([["/b", 1]]);
    // Back after leaving the current visitors: counted on the page again, once.
    visitors.expire(7000 + RECENT_MS);
    expect(visitors.pages.size).toBe(0);
    visitors.touch(1, 8000 + RECENT_MS, hit("/b"));
    visitors.touch(1, 9000 + RECENT_MS, hit("/b"));
    expect(visitors.pages.top(10)).toEqual([["/b", 1]]);
  });

  test("a visitor leaves current visitors after 5 minutes and the 30-minute count after 30", () => {
    const visitors = new ActiveVisitors();
    visitors.touch(1, 0, hit("/"));
    visitors.touch(2, 4 * 60_000, hit("/x"));
    expect(visitors.expire(RECENT_MS)).toBe(true);
    expect(visitors.last5m).toBe(1);
    expect(visitors.pages.top(10)).toEqual([["/x", 1]]);
    expect(visitors.last30m).toBe(2);
    expect(visitors.expire(ACTIVE_MS)).toBe(true);
    expect(visitors.last30m).toBe(1);
    expect(visitors.sources.top(10)).toEqual([["Direct / None", 1]]);
    visitors.expire(ACTIVE_MS + 4 * 60_000);
    expect(visitors.last30m).toBe(0);
    expect(visitors.sources.size + visitors.pages.size + visitors.browsers.size + visitors.devices.size).toBe(0);
    expect(visitors.expire(ACTIVE_MS * 2)).toBe(false);
  });

  test("a returning visitor keeps the source of their visit and moves to their new page", () => {
    const visitors = new ActiveVisitors();
    visitors.touch(1, 0, hit("/", "Google"));
    visitors.touch(1, 10_000, hit("/pricing", "Direct / None"));
    expect(visitors.sources.top(10)).toEqual([["Google", 1]]);
    expect(visitors.pages.top(10)).toEqual([["/pricing", 1]]);
  });

  test("memory is bounded: past the cap the least recent visitor is forgotten and counts say capped", () => {
    const visitors = new ActiveVisitors(1000);
    for (let i = 0; i < 50_000; i++) visitors.touch(i, i, hit(`/page/${i}`, `source-${i}`));
    expect(visitors.last30m).toBe(1000);
    expect(visitors.last5m).toBe(1000);
    expect(visitors.pages.size).toBe(1000);
    expect(visitors.sources.size).toBe(1000);
    expect(visitors.capped).toBe(true);
    expect(visitors.has(49_999)).toBe(true);
    expect(visitors.has(0)).toBe(false);
  });
});
