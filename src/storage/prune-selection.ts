/**
 * Which events a prune takes, in one place for both stores. The memory store applies it to all it
 * holds; the SQLite store to one chunk at a time (a site's events of one batch), taking chunks in
 * the order their latest events were stored (see QUERIES.pruneCandidates), as SQL can find them on
 * an index without reading the events.
 */

/**
 * Of `events`, those before `before`, oldest first and, among equal times, the first appended: at
 * most `limit` of them (none for a limit below 1 or not a number).
 */
export function prunedFrom<Event extends { time: number }>(events: readonly Event[], before: number, limit: number): Set<Event> {
  const room = limit >= 1 ? Math.floor(limit) : 0;
  if (room === 0) return new Set();
  // Array sort is stable: equal times keep their append order.
  return new Set(
    events
      .filter((event) => event.time < before)
      .sort((a, b) => a.time - b.time)
      .slice(0, room),
  );
}
