import { expect, test } from "bun:test";
import { CHUNK_HITS, HitLog, HitLogPool } from "../../../src/core/stats/hit-log.ts";
import { firstHitsByLastHit } from "../../../src/core/stats/matched-visitors.ts";

test("each visitor's first and last hit, whatever the number of partitions", () => {
  const log = new HitLog(new HitLogPool(2 ** 40));
  let state = 3;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const hits = 3 * CHUNK_HITS + 100;
  // 48-bit ids as the ingest makes them, and small ones, some visitors with a single hit.
  const ids = Array.from({ length: 2000 }, (_, k) => (k % 2 ? Math.floor(next() * 2 ** 48) : k));
  for (let k = 0; k < hits; k++) {
    const visitor = ids[Math.floor(next() ** 2 * ids.length)]!;
    log.append({ time: k, visitor, name: "pageview", page: "/", source: "", browser: "", os: "", device: "", country: "", props: {} });
  }
  // Every other hit matches.
  const places = new Int32Array(log.chunks.length * CHUNK_HITS);
  let count = 0;
  for (let place = 0; place < hits; place += 2) places[count++] = place;
  // By index among the matching hits.
  const expected = new Map<number, { first: number; last: number }>();
  for (let k = 0; k < count; k++) {
    const place = places[k]!;
    const id = log.chunks[Math.floor(place / CHUNK_HITS)]!.visitor[place % CHUNK_HITS]!;
    const seen = expected.get(id);
    if (seen) seen.last = k;
    else expected.set(id, { first: k, last: k });
  }
  const wanted = new Int32Array(count);
  for (const { first, last } of expected.values()) wanted[last] = first + 1;
  expect(expected.size).toBeGreaterThan(1000);
  for (const partitionHits of [32_768, 1000, 64, 1]) expect(firstHitsByLastHit(log.chunks, places, count, partitionHits)).toEqual(wanted);
});
