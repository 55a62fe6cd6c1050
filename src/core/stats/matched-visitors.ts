import { CHUNK_HITS, type Chunk } from "./hit-log.ts";

/**
 * Hits per partition: few enough visitors for a partition's table to stay in the cache, and few
 * enough partitions for the split to write to each in order (measured best of 2,048 to 131,072).
 */
const PARTITION_HITS = 32_768;

/**
 * The visitors of the hits at `places` (their first `count` entries: ascending places in `chunks`,
 * as a scan meets them), as one array in the same order: at the index of each visitor's last hit,
 * the index of their first plus one; 0 elsewhere. Read in order, it gives the visitors in the
 * order of their last hits, and each one's id, page and time from the place itself.
 *
 * A busy site's log holds hundreds of thousands of visitors whose hits are spread over the window,
 * so one table of them all missed the cache at almost every hit, and that was most of a scan's
 * time. The hits are first split by a hash of their visitor into partitions small enough for a
 * table each that stays in the cache, in passes that read and write in order; the order of hits
 * holds within a partition, so first and last hits stay first and last.
 */
export function firstHitsByLastHit(chunks: readonly Chunk[], places: Int32Array, count: number, partitionHits = PARTITION_HITS): Int32Array {
  let bits = 0;
  while (count >> bits > partitionHits && bits < 16) bits++;
  const idAt = (place: number) => chunks[(place / CHUNK_HITS) | 0]!.visitor[place % CHUNK_HITS]!;
  // Counted, then filled: reading the log's visitor column twice costs less than writing it aside.
  const starts = new Int32Array((1 << bits) + 2);
  for (let k = 0; k < count; k++) starts[partitionOf(hash(idAt(places[k]!)), bits) + 2]!++;
  // starts[p + 1] becomes where partition p begins, then (moved on as it is filled) where it ends.
  let largest = 0;
  for (let p = 2; p < starts.length; p++) {
    largest = Math.max(largest, starts[p]!);
    starts[p]! += starts[p - 1]!;
  }
  // Each partition's hits, in order, with their visitor's id: the table needs nothing else.
  const byPartition = { ids: new Float64Array(count), hits: new Int32Array(count) };
  for (let k = 0; k < count; k++) {
    const id = idAt(places[k]!);
    const at = starts[partitionOf(hash(id), bits) + 1]!++;
    byPartition.ids[at] = id;
    byPartition.hits[at] = k;
  }
  return dedupe(byPartition, starts, largest);
}

interface Partitioned {
  ids: Float64Array;
  /** Each hit's index among the scan's. */
  hits: Int32Array;
}

/** One small table, reused for each partition: a slot belongs to the partition whose stamp it bears. */
function dedupe({ ids: hitIds, hits }: Partitioned, ends: Int32Array, largest: number): Int32Array {
  let capacity = 16;
  while (capacity < 2 * largest) capacity *= 2;
  const mask = capacity - 1;
  const ids = new Float64Array(capacity);
  const firsts = new Int32Array(capacity);
  const lasts = new Int32Array(capacity);
  const stamps = new Int32Array(capacity);
  const taken = new Int32Array(largest);
  const firstByLast = new Int32Array(hits.length);
  for (let p = 0, k = 0; k < hits.length; p++) {
    const stamp = p + 1;
    let visitors = 0;
    for (; k < ends[p + 1]!; k++) {
      const hit = hits[k]!;
      const id = hitIds[k]!;
      let slot = hash(id) & mask;
      while (stamps[slot] === stamp && ids[slot] !== id) slot = (slot + 1) & mask;
      if (stamps[slot] !== stamp) {
        stamps[slot] = stamp;
        ids[slot] = id;
        firsts[slot] = hit;
        taken[visitors++] = slot;
      }
      lasts[slot] = hit;
    }
    for (let v = 0; v < visitors; v++) firstByLast[lasts[taken[v]!]!] = firsts[taken[v]!]! + 1;
  }
  return firstByLast;
}

/** The high bits pick a partition, the low ones a slot. */
function partitionOf(hash: number, bits: number): number {
  return bits === 0 ? 0 : hash >>> (32 - bits);
}

/** Mixes both halves of an id (48-bit hashes, or any number) into 32 bits. */
function hash(id: number): number {
  const low = id >>> 0;
  const high = (id / 4294967296) >>> 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}
