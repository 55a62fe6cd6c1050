/**
 * Events in an array, for tests: nothing survives a restart. It keeps every event in append order,
 * across sites too, which meets the contract the SQLite store keeps per site. Reads return new
 * arrays, so appending or pruning while a caller iterates does not disturb it.
 */
import type { EventStore, ExportQuery, StoredEvent } from "./event-store.ts";
import { prunedFrom } from "./prune-selection.ts";

export function createMemoryStore(): EventStore {
  let events: Array<StoredEvent & { position: number }> = [];
  let position = 0;
  return {
    append(batch) {
      // Copies, as SQLite stores values and not the caller's objects. Props go through JSON as
      // they do into SQLite, and all copies are made before any is kept, so a batch SQLite would
      // refuse is refused whole here too.
      const copies = batch.map((event) => ({ ...event, props: JSON.parse(JSON.stringify(event.props)) as Record<string, string> }));
      for (const copy of copies) events.push({ ...copy, position: ++position });
    },
    since: (time, through = Infinity) => events.filter((event) => event.time >= time && event.position <= through).map(withoutPosition),
    lastPosition: () => position,
    range: ({ site, from = -Infinity, to = Infinity }: ExportQuery) =>
      // A stable sort keeps append order among equal times, like SQLite's ORDER BY time, rowid.
      events
        .filter((event) => event.site === site && event.time >= from && event.time < to)
        .sort((a, b) => a.time - b.time)
        .map(withoutPosition),
    prune(before, limit) {
      const doomed = prunedFrom(events, before, limit);
      events = events.filter((event) => !doomed.has(event));
      return doomed.size;
    },
    // Nothing here is ever encoded, so nothing can be damaged.
    onDamagedChunk() {},
    count: () => events.length,
    close() {},
  };
}

function withoutPosition({ position: _position, ...event }: StoredEvent & { position: number }): StoredEvent {
  return event;
}
