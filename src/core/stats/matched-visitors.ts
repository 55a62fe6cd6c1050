/**
 * The hits a scan matched, as it meets them (their places: a chunk's index * CHUNK_HITS + the
 * hit's), and their distinct visitors. Each logged hit carries its visitor's slot in the log
 * (below `slots`), so a visitor is found by indexing with it: no id is hashed or compared.
 *
 * What is kept per hit is read and written in order, and per visitor slot only a bit, so that
 * the per-hit work stays in the cache: a visitor's first hit is the first with an unmarked slot;
 * once the scan is over, one pass backwards does the same for last hits. Only the labels of a
 * visitor's first hit are kept by slot (16 bytes each), once per visitor. Read in order, the hits
 * that are their visitor's last give the visitors in the order of their last hits.
 */
export class MatchedHits {
  places: Int32Array;
  /** The visitor's slot of each hit. */
  private slotAt: Int32Array;
  count = 0;
  /** Distinct visitors. */
  visitors = 0;
  /** A bit per slot: seen by the scan. */
  private readonly seen: Int32Array;
  /** By slot, FIRST_VALUES values: their first hit's codes, two to a value. */
  private readonly firsts: Int32Array;
  /** A bit per hit: the last of its visitor (set by `findLastHits`). */
  private lasts = new Int32Array(0);

  constructor(slots: number, expectedHits: number) {
    this.seen = new Int32Array((slots >>> 5) + 1);
    this.firsts = new Int32Array(slots * FIRST_VALUES);
    this.places = new Int32Array(Math.max(1, expectedHits));
    this.slotAt = new Int32Array(Math.max(1, expectedHits));
  }

  /** Notes a matching hit; true when it is the first of its visitor, whose labels `noteFirst` must then be told. */
  add(place: number, slot: number): boolean {
    const k = this.count++;
    if (k === this.places.length) {
      this.places = grown(this.places);
      this.slotAt = grown(this.slotAt);
    }
    this.places[k] = place;
    this.slotAt[k] = slot;
    const bit = 1 << (slot & 31);
    if ((this.seen[slot >>> 5]! & bit) !== 0) return false;
    this.seen[slot >>> 5]! |= bit;
    this.visitors++;
    return true;
  }

  /** The codes of the first hit of the visitor in `slot`: source, browser, OS, device, country. */
  noteFirst(slot: number, source: number, browser: number, os: number, device: number, country: number): void {
    const at = slot * FIRST_VALUES;
    this.firsts[at] = source | (browser << 16);
    this.firsts[at + 1] = os | (device << 16);
    this.firsts[at + 2] = country;
  }

  /** Once every hit is added: marks the last hit of each visitor, in one pass backwards. */
  findLastHits(): void {
    this.lasts = new Int32Array((this.count >>> 5) + 1);
    const found = this.seen.fill(0);
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = this.slotAt[k]!;
      const bit = 1 << (slot & 31);
      if ((found[slot >>> 5]! & bit) !== 0) continue;
      found[slot >>> 5]! |= bit;
      this.lasts[k >>> 5]! |= 1 << (k & 31);
    }
  }

  /** When hit k is the last of its visitor, where their first hit's codes are (for `firstCode`); -1 otherwise. */
  lastOf(k: number): number {
    return (this.lasts[k >>> 5]! & (1 << (k & 31))) !== 0 ? this.slotAt[k]! * FIRST_VALUES : -1;
  }

  /** One of the codes noteFirst was told, in its order (0: source … 4: country). */
  firstCode(at: number, which: number): number {
    const value = this.firsts[at + (which >> 1)]!;
    return which & 1 ? value >>> 16 : value & 0xffff;
  }
}

/** Int32 values per visitor slot: five 16-bit codes, two to a value. */
const FIRST_VALUES = 3;

function grown(column: Int32Array): Int32Array {
  const bigger = new Int32Array(column.length * 2);
  bigger.set(column);
  return bigger;
}
