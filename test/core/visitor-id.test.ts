import { describe, expect, test } from "bun:test";
import { DailySalts, visitorId } from "../../src/core/visitor-id.ts";

const DAY = 86_400_000;

function countingRandom() {
  let n = 0;
  return (length: number) => new Uint8Array(length).fill(++n);
}

describe("DailySalts", () => {
  test("one salt per UTC day, yesterday's kept for one more day", () => {
    const salts = new DailySalts(countingRandom());
    const [today] = salts.at(10 * DAY + 5);
    expect(salts.at(10 * DAY + 1000)).toEqual([today!]);
    const next = salts.at(11 * DAY + 1);
    expect(next.length).toBe(2);
    expect(next[1]).toEqual(today!);
    expect(next[0]).not.toEqual(today!);
  });

  test("after a gap of more than a day there is no previous salt", () => {
    const salts = new DailySalts(countingRandom());
    salts.at(10 * DAY);
    expect(salts.at(13 * DAY).length).toBe(1);
  });
});

describe("visitorId", () => {
  const salt = new Uint8Array(16).fill(7);
  test("the same site, address and browser give the same id; any change gives another", () => {
    const id = visitorId(salt, "a.test", "203.0.113.9", "UA");
    expect(visitorId(salt, "a.test", "203.0.113.9", "UA")).toBe(id);
    expect(visitorId(salt, "b.test", "203.0.113.9", "UA")).not.toBe(id);
    expect(visitorId(salt, "a.test", "203.0.113.10", "UA")).not.toBe(id);
    expect(visitorId(salt, "a.test", "203.0.113.9", "UA2")).not.toBe(id);
    expect(visitorId(new Uint8Array(16).fill(8), "a.test", "203.0.113.9", "UA")).not.toBe(id);
    expect(Number.isSafeInteger(id)).toBe(true);
  });
});

describe("DailySalts across a restart", () => {
  test("a saved state continues with the same salts, and each rotation is reported", () => {
    const saved: unknown[] = [];
    const first = new DailySalts(countingRandom(), undefined, (state) => saved.push(state));
    const [salt] = first.at(10 * DAY);
    expect(saved).toEqual([first.state()]);
    const restarted = new DailySalts(countingRandom(), first.state(), (state) => saved.push(state));
    expect(restarted.at(10 * DAY + 5000)).toEqual([salt!]);
    expect(saved.length).toBe(1);
    expect(restarted.at(11 * DAY)[1]).toEqual(salt!);
    expect(saved.length).toBe(2);
  });
});
