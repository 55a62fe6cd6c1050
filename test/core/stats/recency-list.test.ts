import { describe, expect, test } from "bun:test";
import { NONE, RecencyList } from "../../../src/core/stats/recency-list.ts";

function slots(list: RecencyList): number[] {
  const out: number[] = [];
  for (let slot = list.oldest; slot !== NONE; slot = list.after(slot)) out.push(slot);
  return out;
}

describe("RecencyList", () => {
  test("keeps slots oldest first; moving and removing relink both ends", () => {
    const list = new RecencyList(8);
    list.push(0);
    list.push(1);
    list.push(2);
    list.moveToNewest(0);
    expect(slots(list)).toEqual([1, 2, 0]);
    list.moveToNewest(0);
    expect(slots(list)).toEqual([1, 2, 0]);
    list.remove(1);
    expect(slots(list)).toEqual([2, 0]);
    expect([list.oldest, list.has(1), list.has(2)]).toEqual([2, false, true]);
    list.remove(0);
    list.remove(2);
    expect(list.size).toBe(0);
    expect(list.oldest).toBe(NONE);
    list.push(3);
    expect(slots(list)).toEqual([3]);
  });

  test("keeps its order when it grows, and when its slots are renamed into smaller arrays", () => {
    const list = new RecencyList(4);
    for (const slot of [3, 1, 2]) list.push(slot);
    list.resize(100);
    list.push(99);
    list.moveToNewest(1);
    expect(slots(list)).toEqual([3, 2, 99, 1]);
    const renamed = new Int32Array(100);
    [3, 2, 99, 1].forEach((slot, k) => (renamed[slot] = k));
    list.renumber(renamed, 4);
    expect(slots(list)).toEqual([0, 1, 2, 3]);
    expect(list.size).toBe(4);
    list.moveToNewest(0);
    expect(slots(list)).toEqual([1, 2, 3, 0]);
  });
});
