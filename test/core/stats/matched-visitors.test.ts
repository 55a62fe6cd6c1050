import { expect, test } from "bun:test";
import { CHUNK_HITS, HitLog, HitLogPool } from "../../../src/core/stats/hit-log.ts";
import { MatchedHits } from "../../../src/core/stats/matched-visitors.ts";

/** Every other logged hit, noted by the slots the log gave their visitors. */
function everyOtherHit(log: HitLog): MatchedHits {
  const hits = new MatchedHits(log.slotCount, 16);
  for (let place = 0; place < log.size; place += 2) hits.add(place, log.chunks[Math.floor(place / CHUNK_HITS)]!.slot[place % CHUNK_HITS]!);
  return hits;
}

/** At each hit that is its visitor's last, the index of their first; -1 elsewhere: by slots, then found with a map of ids. */
function firstsByLast(log: HitLog, hits: MatchedHits): { bySlots: number[]; byIds: number[] } {
  const idOf = (k: number) => log.chunks[Math.floor(hits.places[k]! / CHUNK_HITS)]!.visitor[hits.places[k]! % CHUNK_HITS]!;
  const seen = new Map<number, { first: number; last: number }>();
  for (let k = 0; k < hits.count; k++) {
    const visitor = seen.get(idOf(k));
    if (visitor) visitor.last = k;
    else seen.set(idOf(k), { first: k, last: k });
  }
  const byIds = new Array<number>(hits.count).fill(-1);
  for (const { first, last } of seen.values()) byIds[last] = first;
  expect(seen.size).toBeGreaterThan(1000);
  expect(hits.visitors).toBe(seen.size);
  return { bySlots: Array.from({ length: hits.count }, (_, k) => hits.firstIfLast(k)), byIds };
}

test("each visitor's first and last hit, found by the slots the log gives them, also once slots are given back and taken again", () => {
  const log = new HitLog(new HitLogPool(2 ** 40));
  let state = 3;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  // 48-bit ids as the ingest makes them, and small ones, some visitors with a single hit.
  const ids = Array.from({ length: 4000 }, (_, k) => (k % 2 ? Math.floor(next() * 2 ** 48) : k));
  const append = (hits: number, from: number) => {
    for (let k = 0; k < hits; k++) {
      const visitor = ids[from + Math.floor(next() ** 2 * 2000)]!;
      log.append({ time: k, visitor, name: "pageview", page: "/", source: "", browser: "", os: "", device: "", country: "", props: {} });
    }
  };
  append(3 * CHUNK_HITS + 100, 0);
  let { bySlots, byIds } = firstsByLast(log, everyOtherHit(log));
  expect(bySlots).toEqual(byIds);

  // The visitors only the oldest chunks had give their slots back; new visitors take them.
  const slotsBefore = log.slotCount;
  log.dropOldest();
  log.dropOldest();
  append(2 * CHUNK_HITS, 2000);
  expect(log.slotCount).toBeLessThan(slotsBefore + 2000);
  ({ bySlots, byIds } = firstsByLast(log, everyOtherHit(log)));
  expect(bySlots).toEqual(byIds);
});
