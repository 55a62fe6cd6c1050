/** No slot: past either end of a list. */
export const NONE = -1;
/** A slot that is in no list. */
const UNLISTED = -2;

/**
 * Slots (small numbers below a capacity) in order of last use, as a doubly linked list held in
 * two Int32Arrays: touching moves a slot to the newest end, and the oldest is always at hand, each
 * in O(1), with no object per entry, so that a view can list hundreds of thousands of visitors at
 * once without making garbage. (A Map's insertion order would do the same on paper, but
 * repeatedly deleting its oldest entries makes finding the next one cost O(map size) in JSC.)
 */
export class RecencyList {
  private prev: Int32Array;
  private next: Int32Array;
  private head = NONE;
  private tail = NONE;
  size = 0;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity).fill(UNLISTED);
    this.next = new Int32Array(capacity).fill(UNLISTED);
  }

  /** The least recently used slot, or NONE. */
  get oldest(): number {
    return this.head;
  }

  /** The slot used next after this one, or NONE. */
  after(slot: number): number {
    return this.next[slot]!;
  }

  has(slot: number): boolean {
    return this.prev[slot] !== UNLISTED;
  }

  /** Links a slot that is in no list as the newest. */
  push(slot: number): void {
    this.prev[slot] = this.tail;
    this.next[slot] = NONE;
    if (this.tail !== NONE) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
    this.size++;
  }

  remove(slot: number): void {
    const prev = this.prev[slot]!;
    const next = this.next[slot]!;
    if (prev !== NONE) this.next[prev] = next;
    else this.head = next;
    if (next !== NONE) this.prev[next] = prev;
    else this.tail = prev;
    this.prev[slot] = this.next[slot] = UNLISTED;
    this.size--;
  }

  moveToNewest(slot: number): void {
    if (slot === this.tail) return;
    this.remove(slot);
    this.push(slot);
  }

  /** Room for slots below `capacity` (at least one more than the highest slot listed). */
  resize(capacity: number): void {
    this.prev = resized(this.prev, capacity);
    this.next = resized(this.next, capacity);
  }

  /** The same list, in the same order, with each slot renamed `renamed[slot]`, in arrays of `capacity`. */
  renumber(renamed: Int32Array, capacity: number): void {
    const old = this.next;
    let slot = this.head;
    this.prev = new Int32Array(capacity).fill(UNLISTED);
    this.next = new Int32Array(capacity).fill(UNLISTED);
    this.head = this.tail = NONE;
    this.size = 0;
    for (; slot !== NONE; slot = old[slot]!) this.push(renamed[slot]!);
  }
}

function resized(links: Int32Array, capacity: number): Int32Array {
  const copy = new Int32Array(capacity).fill(UNLISTED);
  copy.set(links.subarray(0, Math.min(links.length, capacity)));
  return copy;
}
