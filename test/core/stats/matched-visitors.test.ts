import { expect, test } from "bun:test";
import { AT, CHUNK_HITS, DIMENSIONS, HitLog, HitLogPool } from "../../../src/core/stats/hit-log.ts";
import { MatchedHits } from "../../../src/core/stats/matched-visitors.ts";

const FIRST_CODES = [AT.source, AT.browser, AT.os, AT.device, AT.country];

/** The codes of the hit at a place: source, browser, OS, device, country. */
function codesAt(log: HitLog, place: number): number[] {
  const chunk = log.chunks[Math.floor(place / CHUNK_HITS)]!;
  return FIRST_CODES.map((at) => chunk.codes[(place % CHUNK_HITS) * DIMENSIONS + at]!);
}

/** Every other logged hit, noted by the slots the log gave their visitors, as a scan notes them. */
function everyOtherHit(log: HitLog): MatchedHits {
  const hits = new MatchedHits(log.slotCount, 16);
  for (let place = 0; place < log.size; place += 2) {
    const slot = log.chunks[Math.floor(place / CHUNK_HITS)]!.slot[place % CHUNK_HITS]!;
    if (hits.add(place, slot)) hits.noteFirst(slot, ...(codesAt(log, place) as [number, number, number, number, number]));
  }
  hits.findLastHits();
  return hits;
}

/** At each hit that is its visitor's last, the codes of their first; undefined elsewhere: by slots, then found with a map of ids. */
function firstsByLast(log: HitLog, hits: MatchedHits): { bySlots: Array<number[] | undefined>; byIds: Array<number[] | undefined> } {
  const idOf = (k: number) => log.chunks[Math.floor(hits.places[k]! / CHUNK_HITS)]!.visitor[hits.places[k]! % CHUNK_HITS]!;
  const seen = new Map<number, { first: number; last: number }>();
  for (let k = 0; k < hits.count; k++) {
    const visitor = seen.get(idOf(k));
    if (visitor) visitor.last = k;
    else seen.set(idOf(k), { first: k, last: k });
  }
  const byIds = new Array<number[] | undefined>(hits.count).fill(undefined);
  for (const { first, last } of seen.values()) byIds[last] = codesAt(log, hits.places[first]!);
  expect(seen.size).toBeGreaterThan(1000);
  expect(hits.visitors).toBe(seen.size);
  const bySlots = Array.from({ length: hits.count }, (_, k) => {
    const entry = hits.lastOf(k);
    return entry < 0 ? undefined : FIRST_CODES.map((_, which) => hits.firstCode(entry, which));
  });
  return { bySlots, byIds };
}

test("each visitor's last hit and the labels of their first, found by the slots the log gives them, also once slots are given back and taken again", () => {
  const log = new HitLog(new HitLogPool(2 ** 40));
  let state = 3;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  // 48-bit ids as the ingest makes them, and small ones, some visitors with a single hit.
  const ids = Array.from({ length: 4000 }, (_, k) => (k % 2 ? Math.floor(next() * 2 ** 48) : k));
  const append = (hits: number, from: number) => {
    for (let k = 0; k < hits; k++) {
      const visitor = ids[from + Math.floor(next() ** 2 * 2000)]!;
      // Labels that change from hit to hit: a visitor's first hit's are not their last's.
      const label = (name: string, kinds: number) => `${name}-${Math.floor(next() * kinds)}`;
      log.append({ time: k, visitor, name: "pageview", page: "/", source: label("s", 9), browser: label("b", 4), os: label("o", 3), device: label("d", 3), country: label("c", 20), props: {} });
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
