import type { StoredEvent } from "./event-store.ts";

interface Pending {
  time: number;
  chunk: number;
  index: number;
  event: StoredEvent;
}

/**
 * Puts a site's chunks, read in order of their earliest time, into time order, ties in append
 * order (chunk id, then place in the chunk). Chunks overlap in time only a little (batches from
 * several processes, a clock step), so few events wait here: once a chunk starting at `first`
 * arrives, no event still to come is earlier than `first`, and every pending event before it is final.
 */
export class TimeOrder {
  private pending: Pending[] = [];

  /** Takes a chunk's events (any subset, in stored order) and returns the events now final, in order. */
  add(chunk: number, first: number, events: readonly StoredEvent[]): StoredEvent[] {
    let ready = 0;
    while (ready < this.pending.length && this.pending[ready]!.time < first) ready++;
    const done = this.pending.slice(0, ready).map((entry) => entry.event);
    const incoming = events.map((event, index) => ({ time: event.time, chunk, index, event }));
    // Stable: equal times keep their order in the chunk. Mostly sorted already.
    incoming.sort((a, b) => a.time - b.time);
    this.pending = merge(this.pending.slice(ready), incoming);
    return done;
  }

  /** Every event still pending, in order: once the last chunk has been added. */
  rest(): StoredEvent[] {
    const rest = this.pending.map((entry) => entry.event);
    this.pending = [];
    return rest;
  }
}

function merge(a: Pending[], b: Pending[]): Pending[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const merged: Pending[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(before(b[j]!, a[i]!) ? b[j++]! : a[i++]!);
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
}

function before(x: Pending, y: Pending): boolean {
  return x.time < y.time || (x.time === y.time && (x.chunk < y.chunk || (x.chunk === y.chunk && x.index < y.index)));
}
