import { describe, expect, test } from "bun:test";
import { Counter } from "../../../src/core/stats/counter.ts";

describe("Counter", () => {
  test("top returns the largest counts, ties by label, and forgets zeros", () => {
    const counter = new Counter();
    for (const [label, n] of [["/a", 3], ["/b", 5], ["/c", 3], ["/d", 1]] as const) counter.add(label, n);
    expect(counter.top(3)).toEqual([["/b", 5], ["/a", 3], ["/c", 3]]);
    counter.add("/b", -5);
    expect(counter.size).toBe(3);
    expect(counter.get("/b")).toBe(0);
    expect(counter.top(10)).toEqual([["/a", 3], ["/c", 3], ["/d", 1]]);
  });

  test("top agrees with a full sort on random data", () => {
    const counter = new Counter();
    const truth = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const label = `p${(i * 7919) % 137}`;
      counter.add(label);
      truth.set(label, (truth.get(label) ?? 0) + 1);
    }
    const sorted = [...truth].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect(counter.top(10)).toEqual(sorted);
  });
});
