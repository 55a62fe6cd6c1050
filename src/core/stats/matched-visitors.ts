import { CHUNK_HITS, type Chunk } from "./hit-log.ts";

/**
 * The visitors of the hits at `places` (their first `count` entries: ascending places in `chunks`,
 * as a scan meets them), as one array in the same order: at the index of each visitor's last hit,
 * the index of their first plus one; 0 elsewhere. Read in order, it gives the visitors in the
 * order of their last hits, and each one's id, page and time from the place itself.
 *
 * Each logged hit carries its visitor's slot in the log (below `slots`), so a visitor's first and
 * last hit are found by indexing two arrays with it: no id is hashed or compared.
 */
export function firstHitsByLastHit(chunks: readonly Chunk[], places: Int32Array, count: number, slots: number): Int32Array {
  // By slot: the index of the visitor's first hit plus one (0 while unseen), and of their last.
  const firsts = new Int32Array(slots);
  const lasts = new Int32Array(slots);
  const slotOf = chunks.map((chunk) => chunk.slot);
  for (let k = 0; k < count; k++) {
    const place = places[k]!;
    const slot = slotOf[(place / CHUNK_HITS) | 0]![place % CHUNK_HITS]!;
    if (firsts[slot] === 0) firsts[slot] = k + 1;
    lasts[slot] = k;
  }
  const firstByLast = new Int32Array(count);
  for (let slot = 0; slot < slots; slot++) if (firsts[slot] !== 0) firstByLast[lasts[slot]!] = firsts[slot]!;
  return firstByLast;
}
