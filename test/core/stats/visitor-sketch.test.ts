import { describe, expect, test } from "bun:test";
import { ACTIVE_MS, RECENT_MS } from "../../../src/core/stats/active-visitors.ts";
import { VisitorSketch } from "../../../src/core/stats/visitor-sketch.ts";

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describe("VisitorSketch", () => {
  test("counts distinct visitors within a few percent, from a handful to a million, whatever the ids look like", () => {
    for (const count of [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]) {
      const sketch = new VisitorSketch();
      // Consecutive ids and repeated visits: the sketch mixes ids itself, and a repeat adds nothing.
      for (let i = 0; i < count; i++) sketch.add(i, T0);
      for (let i = 0; i < count; i += 3) sketch.add(i, T0);
      const estimate = sketch.estimate(ACTIVE_MS, T0);
      expect(Math.abs(estimate - count)).toBeLessThanOrEqual(Math.max(1, count * 0.1));
    }
  });

  test("visitors leave the 5- and 30-minute windows with the minute they were last seen in", () => {
    const sketch = new VisitorSketch();
    for (let i = 0; i < 1000; i++) sketch.add(i, T0);
    for (let i = 1000; i < 3000; i++) sketch.add(i, T0 + 10 * MINUTE);
    const near = (value: number, expected: number) => expect(Math.abs(value - expected)).toBeLessThan(expected * 0.1);
    near(sketch.estimate(RECENT_MS, T0 + 10 * MINUTE), 2000);
    near(sketch.estimate(ACTIVE_MS, T0 + 10 * MINUTE), 3000);
    expect(sketch.advance(T0 + 16 * MINUTE)).toBe(true);
    expect(sketch.advance(T0 + 16 * MINUTE + 1)).toBe(false);
    expect(sketch.estimate(RECENT_MS, T0 + 16 * MINUTE)).toBe(0);
    near(sketch.estimate(ACTIVE_MS, T0 + 16 * MINUTE), 3000);
    near(sketch.estimate(ACTIVE_MS, T0 + 31 * MINUTE), 2000);
    expect(sketch.estimate(ACTIVE_MS, T0 + 41 * MINUTE)).toBe(0);
  });

  test("a window that starts inside a minute counts the share of that minute it covers", () => {
    const sketch = new VisitorSketch();
    const start = Math.floor(T0 / MINUTE) * MINUTE;
    for (let i = 0; i < 10_000; i++) sketch.add(i, start);
    // Half a minute later than 5 minutes after: half of the oldest minute is still inside.
    const estimate = sketch.estimate(RECENT_MS, start + 5 * MINUTE + MINUTE / 2);
    expect(Math.abs(estimate - 5000)).toBeLessThan(500);
  });

  test("a late visitor counts in its own minute; one older than the window is ignored", () => {
    const sketch = new VisitorSketch();
    sketch.add(1, T0 + 10 * MINUTE);
    sketch.add(2, T0 + 2 * MINUTE);
    sketch.add(3, T0 - 40 * MINUTE);
    expect(Math.round(sketch.estimate(ACTIVE_MS, T0 + 10 * MINUTE))).toBe(2);
    expect(Math.round(sketch.estimate(RECENT_MS, T0 + 10 * MINUTE))).toBe(1);
  });
});
