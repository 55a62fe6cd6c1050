import { describe, expect, test } from "bun:test";
import type { ChartModel, TopListModel } from "../../ui/site-model.ts";
import { sameChart, sameFields, sameList } from "../../ui/same.ts";

const list = (rows: TopListModel["rows"]): TopListModel => ({ testid: "top-pages", title: "Pages", unit: "visitors now", rows });
const row = (label: string, count: number) => ({ value: label, label, count, share: count / 10, percent: `${count * 10}%`, width: count / 5 });
const chart = (counts: number[]): ChartModel => ({
  bars: counts.map((count, i) => ({ t: i * 1000, count, height: count * 10, slot: i })),
  max: 10,
  half: 5,
  total: counts.reduce((a, b) => a + b, 0),
});

describe("sameFields", () => {
  test("the same values in new objects are the same; one value apart is not", () => {
    expect(sameFields({ a: 1, b: "x" }, { a: 1, b: "x" })).toBe(true);
    expect(sameFields({ a: 1, b: "x" }, { a: 1, b: "y" })).toBe(false);
    expect(sameFields({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });

  test("callbacks count as the same when both are there, not when one is missing", () => {
    expect(sameFields({ onSelect: () => 1 }, { onSelect: () => 2 })).toBe(true);
    expect(sameFields({ onSelect: () => 1 }, { onSelect: undefined })).toBe(false);
  });
});

describe("sameList", () => {
  test("a list shaped again from the same figures is the same", () => {
    expect(sameList(list([row("/", 5), row("/a", 2)]), list([row("/", 5), row("/a", 2)]))).toBe(true);
  });

  test("what a row draws decides: a share that moved less than its percent and its bar show is the same row", () => {
    const drawn = (share: number, width: number) => list([{ ...row("/", 5), share, width }]);
    expect(sameList(drawn(0.5, 1), drawn(0.501, 0.999))).toBe(true);
    expect(sameList(drawn(0.5, 1), drawn(0.5, 0.98))).toBe(false);
  });

  test("a count, an order, a row or a property that changed makes it differ", () => {
    const before = list([row("/", 5), row("/a", 2)]);
    expect(sameList(before, list([row("/", 5), row("/a", 3)]))).toBe(false);
    expect(sameList(before, list([row("/a", 2), row("/", 5)]))).toBe(false);
    expect(sameList(before, list([row("/", 5)]))).toBe(false);
    const withProps = (count: number) => list([{ ...row("signup", 5), props: [{ key: "plan", value: "pro", count, percent: "60%" }] }]);
    expect(sameList(withProps(3), withProps(3))).toBe(true);
    expect(sameList(withProps(3), withProps(4))).toBe(false);
    expect(sameList(withProps(3), list([row("signup", 5)]))).toBe(false);
    // The pages list's tabs open now are drawn too.
    const withNow = (present: number) => list([{ ...row("/", 5), present }]);
    expect(sameList(withNow(2), withNow(2))).toBe(true);
    expect(sameList(withNow(2), withNow(3))).toBe(false);
  });
});

describe("sameChart", () => {
  test("the same bars are the same; one bar taller or the window slid is not", () => {
    expect(sameChart(chart([0, 1, 2]), chart([0, 1, 2]))).toBe(true);
    expect(sameChart(chart([0, 1, 2]), chart([0, 1, 3]))).toBe(false);
    const slid = chart([0, 1, 2]);
    slid.bars = slid.bars.map((bar) => ({ ...bar, t: bar.t + 1000 }));
    expect(sameChart(chart([0, 1, 2]), slid)).toBe(false);
  });
});
