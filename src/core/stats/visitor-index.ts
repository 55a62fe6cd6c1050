import { NONE } from "./recency-list.ts";

const MIN_BUCKETS = 16;
/** Buckets in a region that addAll fills at once: 8 KiB of table, which stays in the cache. */
const REGION_BUCKETS = 512;
/** Past this share of its buckets in use, the table doubles. */
const MAX_LOAD = 0.75;

// An id's bits, read as two 32-bit words to hash it: whole numbers or not, small or 48 bits wide.
const idBits = new Float64Array(1);
const idWords = new Uint32Array(idBits.buffer);

/**
 * Visitor ids to slots, in one Float64Array of [id, slot + 1] pairs (0: an empty bucket) with
 * linear probing: setting one allocates nothing, and setting hundreds of thousands in a row (a
 * view being built) costs a third of what a Map took. A lookup reads one cache line, most times.
 */
export class VisitorIndex {
  private table: Float64Array;
  private shift: number;
  private mask: number;
  size = 0;

  /** Sized for `expected` ids without growing. */
  constructor(expected = 0) {
    const buckets = bucketsFor(expected);
    this.table = new Float64Array(2 * buckets);
    this.mask = buckets - 1;
    this.shift = 32 - Math.log2(buckets);
  }

  /** Room for `expected` ids without growing. */
  reserve(expected: number): void {
    const buckets = bucketsFor(expected);
    if (buckets > this.mask + 1) this.rehash(buckets);
  }

  /** The id's slot, or NONE. */
  get(id: number): number {
    const table = this.table;
    for (let bucket = this.home(id); ; bucket = (bucket + 1) & this.mask) {
      const held = table[2 * bucket + 1]!;
      if (held === 0) return NONE;
      if (table[2 * bucket] === id) return held - 1;
    }
  }

  /** Adds an id that is not in the index. */
  add(id: number, slot: number): void {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.rehash(2 * (this.mask + 1));
    const table = this.table;
    let bucket = this.home(id);
    while (table[2 * bucket + 1] !== 0) bucket = (bucket + 1) & this.mask;
    table[2 * bucket] = id;
    table[2 * bucket + 1] = slot + 1;
    this.size++;
  }

  /**
   * Adds the ids of slots `from` to `to` - 1 (none in the index yet), grouped by where they go, so
   * that a few hundred thousand at once (a view being built) write one region of the table after
   * another instead of missing the cache at every id.
   */
  addAll(ids: Float64Array, from: number, to: number): void {
    this.reserve(this.size + to - from);
    const count = to - from;
    const homes = new Int32Array(count);
    for (let k = 0; k < count; k++) homes[k] = this.home(ids[from + k]!);
    // A counting sort by the top bits of the home bucket: regions of REGION_BUCKETS buckets.
    const regionShift = Math.max(0, Math.log2(this.mask + 1) - Math.log2(REGION_BUCKETS));
    const starts = new Int32Array(((this.mask + 1) >>> regionShift) + 1);
    for (let k = 0; k < count; k++) starts[(homes[k]! >>> regionShift) + 1]!++;
    for (let region = 1; region < starts.length; region++) starts[region]! += starts[region - 1]!;
    const order = new Int32Array(count);
    for (let k = 0; k < count; k++) order[starts[homes[k]! >>> regionShift]!++] = k;
    const table = this.table;
    for (let n = 0; n < count; n++) {
      const k = order[n]!;
      let bucket = homes[k]!;
      while (table[2 * bucket + 1] !== 0) bucket = (bucket + 1) & this.mask;
      table[2 * bucket] = ids[from + k]!;
      table[2 * bucket + 1] = from + k + 1;
    }
    this.size += count;
  }

  delete(id: number): void {
    const table = this.table;
    let bucket = this.home(id);
    for (; table[2 * bucket] !== id || table[2 * bucket + 1] === 0; bucket = (bucket + 1) & this.mask) {
      if (table[2 * bucket + 1] === 0) return;
    }
    // Moves back each later entry of the run that may sit in the freed bucket, so that no lookup
    // stops at a hole before its id (no tombstones to sweep later).
    for (let next = (bucket + 1) & this.mask; table[2 * next + 1] !== 0; next = (next + 1) & this.mask) {
      const home = this.home(table[2 * next]!);
      const between = bucket <= next ? bucket < home && home <= next : bucket < home || home <= next;
      if (between) continue;
      table[2 * bucket] = table[2 * next]!;
      table[2 * bucket + 1] = table[2 * next + 1]!;
      bucket = next;
    }
    table[2 * bucket] = 0;
    table[2 * bucket + 1] = 0;
    this.size--;
  }

  private home(id: number): number {
    idBits[0] = id;
    return Math.imul(idWords[0]! ^ Math.imul(idWords[1]!, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private rehash(buckets: number): void {
    const old = this.table;
    this.table = new Float64Array(2 * buckets);
    this.mask = buckets - 1;
    this.shift = 32 - Math.log2(buckets);
    this.size = 0;
    for (let bucket = 0; 2 * bucket < old.length; bucket++) if (old[2 * bucket + 1] !== 0) this.add(old[2 * bucket]!, old[2 * bucket + 1]! - 1);
  }
}

function bucketsFor(expected: number): number {
  let buckets = MIN_BUCKETS;
  while (buckets * MAX_LOAD < expected) buckets *= 2;
  return buckets;
}
