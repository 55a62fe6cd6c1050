import { describe, expect, test } from "bun:test";
import { DailySalts, isSaltState, visitorId } from "../../../src/core/ingest/visitor-id.ts";

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

describe("DailySalts shared between processes", () => {
  test("a worker given the primary's salts turns to the same salt at midnight without being told", () => {
    const primary = new DailySalts(countingRandom());
    primary.at(10 * DAY);
    // The worker's own random source is different: only the shared state can make them agree.
    const worker = new DailySalts(() => new Uint8Array(16).fill(200), primary.state());
    expect(worker.at(10 * DAY + 1)).toEqual(primary.at(10 * DAY + 1));
    expect(worker.at(11 * DAY + 5)).toEqual(primary.at(11 * DAY + 1));
  });

  test("replace takes newer salts and ignores older ones", () => {
    const primary = new DailySalts(countingRandom());
    const old = (primary.at(10 * DAY), primary.state());
    primary.at(11 * DAY);
    const worker = new DailySalts(() => new Uint8Array(16).fill(200), old);
    worker.replace(primary.state());
    expect(worker.at(11 * DAY + 1)).toEqual(primary.at(11 * DAY + 1));
    worker.replace(old);
    expect(worker.at(11 * DAY + 2)).toEqual(primary.at(11 * DAY + 2));
  });

  test("salts saved before tomorrow's was kept still load, and rotate to a fresh salt", () => {
    const salts = new DailySalts(() => new Uint8Array(16).fill(9), { day: 10, current: Buffer.alloc(16, 1).toString("base64"), previous: null });
    expect(salts.at(10 * DAY)[0]).toEqual(new Uint8Array(16).fill(1));
    const [today, yesterday] = salts.at(11 * DAY);
    expect(yesterday).toEqual(new Uint8Array(16).fill(1));
    expect(today).not.toEqual(yesterday!);
  });
});

describe("isSaltState", () => {
  test("takes what state() writes, and nothing else", () => {
    const salts = new DailySalts();
    salts.at(Date.UTC(2026, 10, 30));
    expect(isSaltState(salts.state())).toBe(true);
    expect(isSaltState(JSON.parse(JSON.stringify(salts.state())))).toBe(true);
    const good = salts.state();
    for (const bad of [null, 3, "salts", {}, { ...good, day: -1 }, { ...good, day: 1.5 }, { ...good, current: "" }, { ...good, current: "not base64!!" }, { ...good, previous: 7 }, { ...good, next: null }]) {
      expect(isSaltState(bad)).toBe(false);
    }
  });
});
