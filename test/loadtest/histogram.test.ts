import { describe, expect, test } from "bun:test";
import { Histogram } from "../../src/loadtest/histogram.ts";

describe("Histogram", () => {
  test("percentiles within 5% of the exact ones", () => {
    const histogram = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 1 + (i % 1000) * 0.5);
    for (const value of values) histogram.record(value);
    const exact = (p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
    for (const p of [50, 90, 99]) {
      expect(Math.abs(histogram.percentile(p) - exact(p)) / exact(p)).toBeLessThan(0.05);
    }
    expect(histogram.max).toBe(500.5);
  });

  test("merges across processes through JSON", () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 100; i++) a.record(10);
    for (let i = 0; i < 100; i++) b.record(1000);
    const merged = Histogram.fromJSON(JSON.parse(JSON.stringify(a)));
    merged.merge(Histogram.fromJSON(JSON.parse(JSON.stringify(b))));
    expect(merged.count).toBe(200);
    expect(merged.percentile(25)).toBeLessThan(11);
    expect(merged.percentile(99)).toBeGreaterThan(950);
    expect(new Histogram().percentile(50)).toBeNaN();
  });
});
