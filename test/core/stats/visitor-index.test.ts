import { expect, test } from "bun:test";
import { NONE } from "../../../src/core/stats/recency-list.ts";
import { VisitorIndex } from "../../../src/core/stats/visitor-index.ts";

test("finds what a Map finds through adds and deletes in any order, across growth, with ids small and 48 bits wide", () => {
  let state = 11;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  // Few distinct ids, so that runs of colliding buckets form and deletes must mend them.
  const ids = Array.from({ length: 3000 }, (_, k) => (k % 3 === 0 ? k : k % 3 === 1 ? Math.floor(next() * 2 ** 48) : 1e12 + k * 4096));
  const index = new VisitorIndex();
  const reference = new Map<number, number>();
  for (let step = 0; step < 60_000; step++) {
    const id = ids[Math.floor(next() * ids.length)]!;
    if (reference.has(id)) {
      index.delete(id);
      reference.delete(id);
    } else {
      index.add(id, step);
      reference.set(id, step);
    }
    if (step % 997 === 0) for (const probe of ids) expect(index.get(probe)).toBe(reference.get(probe) ?? NONE);
  }
  expect(index.size).toBe(reference.size);
  for (const probe of ids) expect(index.get(probe)).toBe(reference.get(probe) ?? NONE);
  index.delete(-5);
  expect(index.size).toBe(reference.size);
});

test("reserving room keeps every entry", () => {
  const index = new VisitorIndex();
  for (let id = 0; id < 100; id++) index.add(id * 7919, id);
  index.reserve(100_000);
  for (let id = 0; id < 100; id++) expect(index.get(id * 7919)).toBe(id);
  expect(index.get(1)).toBe(NONE);
});

test("ids added all at once are found as those added one by one, and can be deleted and added again", () => {
  const ids = new Float64Array(50_000);
  for (let slot = 0; slot < ids.length; slot++) ids[slot] = slot % 2 ? slot * 7919 : Math.floor(slot * 2 ** 31.7);
  const index = new VisitorIndex();
  for (let slot = 0; slot < 1000; slot++) index.add(ids[slot]!, slot);
  index.addAll(ids, 1000, ids.length);
  expect(index.size).toBe(ids.length);
  for (let slot = 0; slot < ids.length; slot++) expect(index.get(ids[slot]!)).toBe(slot);
  for (let slot = 0; slot < ids.length; slot += 2) index.delete(ids[slot]!);
  for (let slot = 0; slot < ids.length; slot++) expect(index.get(ids[slot]!)).toBe(slot % 2 ? slot : NONE);
  index.add(ids[0]!, 7);
  expect([index.get(ids[0]!), index.size]).toEqual([7, ids.length / 2 + 1]);
});
