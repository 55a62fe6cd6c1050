import { describe, expect, test } from "bun:test";
import { OTHER_LABEL, WindowedCounter } from "../../../src/core/stats/windowed-counter.ts";

describe("WindowedCounter", () => {
  test("sums labels across the window and forgets old buckets", () => {
    const counter = new WindowedCounter(60_000, 30, 100);
    counter.add(0, "Signup");
    counter.add(60_000, "Signup");
    counter.add(60_000, "Download");
    expect(counter.top(10)).toEqual([["Signup", 2], ["Download", 1]]);
    expect(counter.advance(30 * 60_000)).toBe(true); // minute 0 fell out
    expect(counter.top(10)).toEqual([["Download", 1], ["Signup", 1]]);
    expect(counter.advance(31 * 60_000)).toBe(true);
    expect(counter.top(10)).toEqual([]);
    expect(counter.labelCount).toBe(0);
  });

  test("labels past the cap fold into (other), so memory is bounded", () => {
    const counter = new WindowedCounter(60_000, 30, 3);
    for (let i = 0; i < 1000; i++) counter.add(0, `event-${i}`);
    expect(counter.labelCount).toBe(4);
    expect(counter.top(1)).toEqual([[OTHER_LABEL, 997]]);
  });

  test("the cap holds for the whole window, not for each bucket: new names every minute still fold", () => {
    const counter = new WindowedCounter(60_000, 30, 3);
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 100; i++) counter.add(minute * 60_000, `event-${minute}-${i}`);
    }
    expect(counter.labelCount).toBe(4);
    expect(counter.top(10).map(([label]) => label)).toEqual([OTHER_LABEL, "event-0-0", "event-0-1", "event-0-2"]);
    // Once a name's minutes are gone, its place goes to the next new name.
    counter.advance(30 * 60_000);
    counter.add(30 * 60_000, "Signup");
    expect(counter.top(10).map(([label]) => label)).toEqual([OTHER_LABEL, "Signup"]);
  });
});

describe("a full window", () => {
  test("a name seen more often than the least counted one takes its place: junk sent once cannot keep it out", () => {
    const counter = new WindowedCounter(60_000, 30, 100);
    for (let i = 0; i < 300; i++) counter.add(i * 1000, `junk${i}`);
    for (let i = 0; i < 20; i++) counter.add(300_000 + i * 1000, "Signup");
    const [first, second] = counter.top(2);
    // The first Signup waited in "(other)"; the second took the place of a junk name, whose one
    // count went to "(other)" too: 200 junk + 1 Signup + 1 junk.
    expect(first).toEqual([OTHER_LABEL, 202]);
    expect(second).toEqual(["Signup", 19]);
    expect(counter.labelCount).toBe(101);
  });

  test("the counts stay whole: a label that gives its place up is counted in (other), and leaves with its minutes", () => {
    const counter = new WindowedCounter(60_000, 30, 3);
    for (const label of ["a", "b", "c"]) counter.add(0, label);
    counter.add(60_000, "real");
    counter.add(60_000, "real");
    counter.add(60_000, "real");
    const total = counter.top(10).reduce((sum, [, count]) => sum + count, 0);
    expect(total).toBe(6);
    expect(counter.top(10)).toEqual([[OTHER_LABEL, 2], ["real", 2], ["b", 1], ["c", 1]]);
    // Minute 0 leaves: a, b, c and the "(other)" share of it go; real's minute stays.
    counter.advance(30 * 60_000);
    expect(counter.top(10)).toEqual([["real", 2], [OTHER_LABEL, 1]]);
    counter.advance(31 * 60_000);
    expect(counter.top(10)).toEqual([]);
    expect(counter.labelCount).toBe(0);
  });
});
