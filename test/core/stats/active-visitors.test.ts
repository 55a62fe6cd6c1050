import { describe, expect, test } from "bun:test";
import { ACTIVE_MS, ActiveVisitors, RECENT_MS, type VisitorHit } from "../../../src/core/stats/active-visitors.ts";
import { VisitorBudget, visitorBytes } from "../../../src/core/stats/visitor-budget.ts";

const hit = (page: string, source = "Direct / None"): VisitorHit => ({ page, source, browser: "Firefox", os: "Linux", device: "Desktop", country: "FR" });

describe("ActiveVisitors", () => {
  test("counts distinct visitors, not hits", () => {
    const visitors = new ActiveVisitors();
    visitors.touch(1, 0, hit("/"));
    visitors.touch(1, 1000, hit("/about"));
    visitors.touch(2, 2000, hit("/"));
    expect(visitors.trackedRecent).toBe(2);
    expect(visitors.tracked).toBe(2);
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
    expect(visitors.trackedRecent).toBe(1);
    expect(visitors.pages.top(10)).toEqual([["/x", 1]]);
    expect(visitors.tracked).toBe(2);
    expect(visitors.expire(ACTIVE_MS)).toBe(true);
    expect(visitors.tracked).toBe(1);
    expect(visitors.sources.top(10)).toEqual([["Direct / None", 1]]);
    visitors.expire(ACTIVE_MS + 4 * 60_000);
    expect(visitors.tracked).toBe(0);
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

  test("past its budget, a new visitor is counted in the sketch, not tracked, and counts say they are estimates", () => {
    // Labels of one length: each visitor costs the same.
    const numbered = (i: number) => hit(`/page/${String(i).padStart(5, "0")}`, `source-${String(i).padStart(5, "0")}`);
    const budget = new VisitorBudget(1000 * visitorBytes(numbered(0)));
    const visitors = new ActiveVisitors(budget);
    for (let i = 0; i < 50_000; i++) visitors.touch(i, i, numbered(i));
    expect(budget.usedBytes).toBe(budget.maxBytes);
    expect(visitors.tracked).toBe(1000);
    // The first thousand keep their place; the breakdowns hold only them.
    expect(visitors.has(0)).toBe(true);
    expect(visitors.has(49_999)).toBe(false);
    expect(visitors.pages.size).toBe(1000);
    expect(visitors.sources.size).toBe(1000);
    expect(visitors.capped).toBe(true);
    expect(Math.abs(visitors.last30m(50_000) - 50_000)).toBeLessThan(50_000 * 0.15);
    expect(Math.abs(visitors.last5m(50_000) - 50_000)).toBeLessThan(50_000 * 0.15);
  });

  test("a tracked visitor who leaves gives the budget back; the sketch goes 30 minutes after the last visitor left out", () => {
    const each = visitorBytes(hit("/"));
    const budget = new VisitorBudget(2 * each);
    const visitors = new ActiveVisitors(budget);
    visitors.touch(1, 0, hit("/"));
    visitors.touch(2, 0, hit("/"));
    visitors.touch(3, 60_000, hit("/"));
    expect([visitors.tracked, visitors.capped, visitors.last30m(60_000)]).toEqual([2, true, 3]);
    visitors.touch(1, ACTIVE_MS - 1, hit("/"));
    expect(visitors.expire(ACTIVE_MS)).toBe(true);
    expect(budget.usedBytes).toBe(each);
    // Visitor 3 was seen at one minute: until then, counts stay estimates.
    expect(visitors.capped).toBe(true);
    visitors.touch(4, ACTIVE_MS + 1, hit("/"));
    expect(budget.usedBytes).toBe(2 * each);
    // 1, 3 and 4 (the sketch counts by the minute: 2, seen at 0, is out once most of minute 0 is).
    expect(visitors.last30m(ACTIVE_MS + 59_000)).toBe(3);
    visitors.expire(ACTIVE_MS + 60_000);
    expect(visitors.capped).toBe(false);
    expect(visitors.last30m(ACTIVE_MS + 60_000)).toBe(2);
  });

  test("through waves of visitors the columns grow and shrink, and every count stays what a plain model of the visitors says", () => {
    let state = 5;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
    const budget = new VisitorBudget(Number.POSITIVE_INFINITY);
    let visitors = new ActiveVisitors(budget);
    // The model: each visitor's first hit's labels, current page, last time seen, and whether current.
    const model = new Map<number, { first: VisitorHit; page: string; lastSeen: number; current: boolean }>();
    let time = 0;
    for (let wave = 0; wave < 12; wave++) {
      // Busy waves and quiet ones: from a few visitors to thousands, so that slots are renumbered.
      const size = wave % 3 === 2 ? 5 : 400 + Math.floor(next() * 4000);
      for (let k = 0; k < 4 * size; k++) {
        time += Math.floor(next() * (10 * 60_000 / size));
        const id = wave * 1e9 + Math.floor(next() * size) * 7919;
        const labels = hit(`/p/${"x".repeat(Math.floor(next() * 5))}${Math.floor(next() * 7)}`, `s${Math.floor(next() * 4)}`);
        visitors.touch(id, time, labels);
        const known = model.get(id);
        if (known) Object.assign(known, { page: labels.page, lastSeen: time, current: true });
        else model.set(id, { first: labels, page: labels.page, lastSeen: time, current: true });
        if (k % 500 === 0 || size < 100) expectModel(time);
      }
      if (wave === 6) {
        // A view loads the same visitors in the order of their last hits, and goes on from there.
        const loaded = new ActiveVisitors(budget);
        loaded.beginLoad(model.size);
        for (const [id, v] of [...model].sort((a, b) => a[1].lastSeen - b[1].lastSeen)) {
          const { source, browser, os, device, country } = v.first;
          expect(loaded.load(id, v.lastSeen, v.page, source, browser, os, device, country, v.current)).toBe(true);
          if (v.current) loaded.pages.add(v.page);
          for (const [counter, label] of [[loaded.sources, source], [loaded.browsers, browser], [loaded.os, os], [loaded.devices, device], [loaded.countries, country]] as const) counter.add(label);
        }
        loaded.endLoad();
        expect(model.size).toBeGreaterThan(1000);
        visitors.forgetAll();
        expect(visitors.slotCapacity).toBe(16);
        visitors = loaded;
        expectModel(time);
      }
      time += Math.floor(next() * 32 * 60_000);
      expectModel(time);
    }

    function expectModel(now: number): void {
      visitors.expire(now);
      for (const [id, v] of model) {
        if (v.lastSeen <= now - RECENT_MS) v.current = false;
        if (v.lastSeen <= now - ACTIVE_MS) model.delete(id);
      }
      const tally = (labelOf: (v: { first: VisitorHit; page: string }) => string, only = (_: { current: boolean }) => true) => {
        const counts = new Map<string, number>();
        for (const v of model.values()) if (only(v)) counts.set(labelOf(v), (counts.get(labelOf(v)) ?? 0) + 1);
        return [...counts].sort();
      };
      expect([visitors.tracked, visitors.trackedRecent]).toEqual([model.size, [...model.values()].filter((v) => v.current).length]);
      expect([...visitors.pages.entries()].sort()).toEqual(tally((v) => v.page, (v) => v.current));
      expect([...visitors.sources.entries()].sort()).toEqual(tally((v) => v.first.source));
      let bytes = 0;
      for (const v of model.values()) bytes += visitorBytes({ ...v.first, page: v.page });
      expect(budget.usedBytes).toBe(bytes);
      // At most SHRINK_BELOW (2.5) slots a visitor once the tick has run, past the minimum of 16.
      expect(visitors.slotCapacity).toBeLessThanOrEqual(Math.max(16, 2.5 * visitors.tracked));
      for (const id of [...model.keys()].slice(0, 50)) expect(visitors.has(id)).toBe(true);
    }
  });
});
