import { describe, expect, test } from "bun:test";
import { niceMax, seriesToBars } from "../../ui/series.ts";

const STEP = 1000;
const LAST = 1_000_000; // start of the newest bucket

describe("seriesToBars", () => {
  const series = { step: STEP, last: LAST, counts: [1, 2, 3, 4] };

  test("within the newest bucket the series is drawn as sent", () => {
    const bars = seriesToBars(series, LAST + 999);
    expect(bars.map((b) => b.count)).toEqual([1, 2, 3, 4]);
    expect(bars.map((b) => b.t)).toEqual([LAST - 3000, LAST - 2000, LAST - 1000, LAST]);
  });

  test("slides left as the client's clock moves on: old buckets drop, new ones are zero", () => {
    const bars = seriesToBars(series, LAST + 2500);
    expect(bars.map((b) => b.count)).toEqual([3, 4, 0, 0]);
    expect(bars.at(-1)?.t).toBe(LAST + 2000);
  });

  test("a series older than the window draws as all zeros", () => {
    expect(seriesToBars(series, LAST + 60_000).map((b) => b.count)).toEqual([0, 0, 0, 0]);
  });

  test("a client clock behind the server's does not slide the series backwards", () => {
    expect(seriesToBars(series, LAST - 5000).map((b) => b.count)).toEqual([1, 2, 3, 4]);
  });

  test("pads a short series with zeros on the left to the asked length", () => {
    const bars = seriesToBars({ step: STEP, last: LAST, counts: [7, 8] }, LAST, 4);
    expect(bars.map((b) => b.count)).toEqual([0, 0, 7, 8]);
    expect(bars[0]?.t).toBe(LAST - 3000);
  });

  test("an empty series gives the asked number of zero bars", () => {
    expect(seriesToBars({ step: 60_000, last: 0, counts: [] }, LAST, 30)).toHaveLength(30);
  });
});

test("niceMax rounds up to 1, 2 or 5 times a power of ten", () => {
  expect(niceMax([])).toBe(1);
  expect(niceMax([0, 0])).toBe(1);
  expect(niceMax([3])).toBe(5);
  expect(niceMax([7, 2])).toBe(10);
  expect(niceMax([11])).toBe(20);
  expect(niceMax([200])).toBe(200);
  expect(niceMax([201])).toBe(500);
});
