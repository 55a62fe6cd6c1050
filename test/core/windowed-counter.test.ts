import { describe, expect, test } from "bun:test";
import { OTHER_LABEL, WindowedCounter } from "../../src/core/windowed-counter.ts";

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
