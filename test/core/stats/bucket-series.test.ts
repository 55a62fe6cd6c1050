import { describe, expect, test } from "bun:test";
import { BucketSeries } from "../../../src/core/stats/bucket-series.ts";

describe("BucketSeries", () => {
  test("counts per bucket, oldest first, newest bucket at `last`", () => {
    const series = new BucketSeries(1000, 5);
    series.add(10_000);
    series.add(10_500);
    series.add(12_100);
    expect(series.toSeries(12_900)).toEqual({ step: 1000, last: 12_000, counts: [0, 0, 2, 0, 1] });
    expect(series.total()).toBe(3);
  });

  test("buckets expire as time moves on, and advance reports what dropped", () => {
    const series = new BucketSeries(1000, 3);
    series.add(0);
    series.add(1000);
    series.add(1000);
    expect(series.advance(3000)).toBe(1);
    expect(series.total()).toBe(2);
    expect(series.advance(10_000)).toBe(2);
    expect(series.total()).toBe(0);
    expect(series.toSeries(10_000).counts).toEqual([0, 0, 0]);
  });

  test("a hit older than the window is ignored", () => {
    const series = new BucketSeries(1000, 3);
    series.add(10_000);
    series.add(5_000);
    expect(series.total()).toBe(1);
  });
});
