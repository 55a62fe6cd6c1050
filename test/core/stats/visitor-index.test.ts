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
