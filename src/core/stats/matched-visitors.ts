/**
 * The hits a scan matched, as it meets them (their places: a chunk's index * CHUNK_HITS + the
 * hit's), and their distinct visitors. Each logged hit carries its visitor's slot in the log
 * (below `slots`), so a visitor's first and last hit are noted by indexing two arrays with it: no
 * id is hashed or compared. Read in order, the hits that are their visitor's last give the visitors
 * in the order of their last hits.
 */
export class MatchedHits {
  places: Int32Array;
  /** The visitor's slot of each hit. */
  private slotAt: Int32Array;
  count = 0;
  /** Distinct visitors. */
  visitors = 0;
  /** By slot: the index of the visitor's first hit plus one (0 while unseen), and of their last. */
  private readonly firsts: Int32Array;
  private readonly lasts: Int32Array;

  constructor(slots: number, expectedHits: number) {
    this.firsts = new Int32Array(slots);
    this.lasts = new Int32Array(slots);
    this.places = new Int32Array(Math.max(1, expectedHits));
    this.slotAt = new Int32Array(Math.max(1, expectedHits));
  }

  /** Notes a matching hit; true when it is the first of its visitor. */
  add(place: number, slot: number): boolean {
    const k = this.count++;
    if (k === this.places.length) {
      this.places = grown(this.places);
      this.slotAt = grown(this.slotAt);
    }
    this.places[k] = place;
    this.slotAt[k] = slot;
    this.lasts[slot] = k;
    if (this.firsts[slot] !== 0) return false;
    this.firsts[slot] = k + 1;
    this.visitors++;
    return true;
  }

  /** When hit k is the last of its visitor, the index of their first hit (k itself, for one hit); -1 otherwise. */
  firstIfLast(k: number): number {
    const slot = this.slotAt[k]!;
    return this.lasts[slot] === k ? this.firsts[slot]! - 1 : -1;
  }
}

function grown(column: Int32Array): Int32Array {
  const bigger = new Int32Array(column.length * 2);
  bigger.set(column);
  return bigger;
}
