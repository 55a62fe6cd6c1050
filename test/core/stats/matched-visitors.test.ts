import { expect, test } from "bun:test";
import { CHUNK_HITS, HitLog, HitLogPool } from "../../../src/core/stats/hit-log.ts";
import { firstHitsByLastHit } from "../../../src/core/stats/matched-visitors.ts";

/** What firstHitsByLastHit must give for every other logged hit, found with a map of ids. */
function expectedFor(log: HitLog, places: Int32Array, count: number): Int32Array {
  const seen = new Map<number, { first: number; last: number }>();
  for (let k = 0; k < count; k++) {
    const place = places[k]!;
    const id = log.chunks[Math.floor(place / CHUNK_HITS)]!.visitor[place % CHUNK_HITS]!;
    const visitor = seen.get(id);
    if (visitor) visitor.last = k;
    else seen.set(id, { first: k, last: k });
  }
  const wanted = new Int32Array(count);
  for (const { first, last } of seen.values()) wanted[last] = first + 1;
  expect(seen.size).toBeGreaterThan(1000);
  return wanted;
}

function everyOtherHit(log: HitLog): { places: Int32Array; count: number } {
  const places = new Int32Array(log.chunks.length * CHUNK_HITS);
  let count = 0;
  for (let place = 0; place < log.size; place += 2) places[count++] = place;
  return { places, count };
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
  let { places, count } = everyOtherHit(log);
  expect(firstHitsByLastHit(log.chunks, places, count, log.slotCount)).toEqual(expectedFor(log, places, count));

  // The visitors only the oldest chunks had give their slots back; new visitors take them.
  const slotsBefore = log.slotCount;
  log.dropOldest();
  log.dropOldest();
  append(2 * CHUNK_HITS, 2000);
  expect(log.slotCount).toBeLessThan(slotsBefore + 2000);
  ({ places, count } = everyOtherHit(log));
  expect(firstHitsByLastHit(log.chunks, places, count, log.slotCount)).toEqual(expectedFor(log, places, count));
});
