/**
 * The default event store: one SQLite file (bun:sqlite) in WAL mode, events kept in chunks (see
 * event-chunks.ts). See sqlite-schema.ts for the table, its indexes and the connection settings.
 */
import type { SqliteDatabase } from "./sqlite-driver.ts";
import { INSERT_CHUNK, MAX_CHUNK_SPAN_MS, chunkRows, decodeEvents, type ChunkRow } from "./event-chunks.ts";
import type { EventStore, ExportQuery, StoredEvent } from "./event-store.ts";
import { prunedFrom } from "./prune-selection.ts";
import { openEventDatabase } from "./sqlite-schema.ts";
import { TimeOrder } from "./time-order.ts";
import { errorMessage } from "../core/error-message.ts";

/**
 * Reads go a page of chunks at a time, each page one short query read to the end. A cursor held
 * open instead would keep a read transaction open for as long as a slow export client takes, and
 * no WAL checkpoint can pass an open read transaction: the WAL would grow with every tick meanwhile.
 */
const PAGE_CHUNKS = 8;

/** Exported so tests can check the query plans: a full scan or a sort here would defeat laziness. */
export const QUERIES = {
  insert: INSERT_CHUNK,
  // Chunk ids grow with each insert, so id order is append order. The first page starts just
  // before the smallest id of a chunk with an event at or after the time, found on the index of
  // chunks' latest times, so only the recent tail is read; the test on `last` still skips an
  // older chunk appended later, after a clock step back. No match: NULL, an empty page.
  sinceStart: "SELECT min(id) - 1 AS id FROM chunks INDEXED BY chunks_last WHERE last >= ?",
  sincePage: "SELECT id, site, first, last, count, events FROM chunks WHERE id > ?1 AND id <= ?4 AND last >= ?2 ORDER BY id LIMIT ?3",
  // AUTOINCREMENT is not used, so ids are only "max + 1": pruning never removes the newest chunk,
  // so the maximum never goes back.
  lastPosition: "SELECT coalesce(max(id), 0) AS id FROM chunks",
  // A site's chunks in order of their earliest time, after the last (first, id) read. A chunk
  // spans at most MAX_CHUNK_SPAN_MS, so the first page seeks to `from` less that span.
  rangePage: `SELECT id, site, first, last, count, events FROM chunks
    WHERE site = ?1 AND (first, id) > (?2, ?3) AND first < ?4 AND last >= ?5 ORDER BY first, id LIMIT ?6`,
  // Chunks holding events before the cut, the oldest-ending first. One starting before the cut
  // ends less than MAX_CHUNK_SPAN_MS after it, which bounds the search on the `last` index.
  pruneCandidates: "SELECT id, site, first, last, count, events FROM chunks WHERE last < ?1 AND first < ?2 ORDER BY last, id LIMIT ?3",
  pruneChunk: "DELETE FROM chunks WHERE id = ?",
  rewriteChunk: "UPDATE chunks SET first = ?2, last = ?3, count = ?4, events = ?5 WHERE id = ?1",
  count: "SELECT coalesce(sum(count), 0) AS count FROM chunks",
} as const;

interface ChunkRecord {
  id: number;
  site: string;
  first: number;
  last: number;
  count: number;
  events: string;
}
type Value = string | number | null;

/** Damaged chunks remembered (so each is logged and counted once); past this many, the rest are skipped silently. */
const MAX_DAMAGED_REMEMBERED = 10_000;

export interface SqliteStoreOptions {
  /** Where a damaged chunk is told, once each. */
  log?: (line: string) => void;
}

/** Throws a StorageError (one line, naming the file) when the file cannot be opened as an event database. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): EventStore {
  return new SqliteStore(openEventDatabase(path), options.log ?? console.error);
}

class SqliteStore implements EventStore {
  private readonly insertAll: (rows: readonly ChunkRow[]) => void;
  private readonly pruneAll: (before: number, limit: number) => number;
  private readonly damaged = new Set<number>();
  private readonly damageListeners: Array<(id: number) => void> = [];

  constructor(
    private readonly db: SqliteDatabase,
    private readonly log: (line: string) => void,
  ) {
    // db.query() statements are cached and owned by the Database, so close() finalizes them.
    const insert = db.query<unknown, ChunkRow>(QUERIES.insert);
    // IMMEDIATE: take the write lock at BEGIN, where busy_timeout waits for it, rather than
    // failing halfway through if another process is writing.
    this.insertAll = db.transaction((rows: readonly ChunkRow[]) => {
      for (const row of rows) insert.run(...row);
    }).immediate;
    this.pruneAll = db.transaction((before: number, limit: number) => this.pruneChunks(before, limit)).immediate;
  }

  append(events: readonly StoredEvent[]): void {
    // Encoded before the transaction: a batch with an event that cannot be stored throws here, whole.
    if (events.length > 0) this.insertAll(chunkRows(events));
  }

  onDamagedChunk(listener: (id: number) => void): void {
    this.damageListeners.push(listener);
  }

  /**
   * A chunk's events, or none if its row is damaged (not what encodeEvents wrote: a disk error, a
   * hand edit): one bad row must not stop a restore or an export, so it is skipped, and told once.
   */
  private eventsOf(chunk: ChunkRecord): StoredEvent[] {
    try {
      return decodeEvents(chunk.site, chunk.events);
    } catch (error) {
      if (this.damaged.has(chunk.id) || this.damaged.size >= MAX_DAMAGED_REMEMBERED) return [];
      this.damaged.add(chunk.id);
      const when = chunk.first === chunk.last ? `at ${isoTime(chunk.first)}` : `from ${isoTime(chunk.first)} to ${isoTime(chunk.last)}`;
      const events = chunk.count === 1 ? "1 event" : `${chunk.count} events`;
      const why = errorMessage(error);
      this.log(`pulse: skipped the damaged stored chunk ${chunk.id} (site ${chunk.site}, ${events} ${when}): ${why}`);
      if (this.damaged.size === MAX_DAMAGED_REMEMBERED) this.log(`pulse: ${MAX_DAMAGED_REMEMBERED} damaged chunks found; further ones are skipped without a word`);
      for (const listener of this.damageListeners) listener(chunk.id);
      return [];
    }
  }

  since(time: number, through = Number.MAX_SAFE_INTEGER): Iterable<StoredEvent> {
    const start = this.db.query<{ id: number | null }, [number]>(QUERIES.sinceStart);
    const page = this.db.query<ChunkRecord, Value[]>(QUERIES.sincePage);
    const eventsOf = (chunk: ChunkRecord) => this.eventsOf(chunk);
    return {
      *[Symbol.iterator]() {
        let after = start.get(time)?.id ?? null;
        for (;;) {
          const chunks = page.all(after, time, PAGE_CHUNKS, through);
          for (const chunk of chunks) {
            for (const event of eventsOf(chunk)) if (event.time >= time) yield event;
          }
          if (chunks.length < PAGE_CHUNKS) return;
          after = chunks[chunks.length - 1]!.id;
        }
      },
    };
  }

  lastPosition(): number {
    return this.db.query<{ id: number }, []>(QUERIES.lastPosition).get()?.id ?? 0;
  }

  range({ site, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER }: ExportQuery): Iterable<StoredEvent> {
    const page = this.db.query<ChunkRecord, Value[]>(QUERIES.rangePage);
    const seek = Math.max(from - MAX_CHUNK_SPAN_MS, Number.MIN_SAFE_INTEGER);
    const eventsOf = (chunk: ChunkRecord) => this.eventsOf(chunk);
    return {
      *[Symbol.iterator]() {
        const order = new TimeOrder();
        // Before the first page, (seek, MIN_SAFE_INTEGER) stands for "just before every chunk starting at `seek`".
        let after = { first: seek, id: Number.MIN_SAFE_INTEGER };
        for (;;) {
          const chunks = page.all(site, after.first, after.id, to, from, PAGE_CHUNKS);
          for (const chunk of chunks) {
            const events = eventsOf(chunk).filter((event) => event.time >= from && event.time < to);
            yield* order.add(chunk.id, chunk.first, events);
          }
          if (chunks.length < PAGE_CHUNKS) break;
          after = chunks[chunks.length - 1]!;
        }
        yield* order.rest();
      },
    };
  }

  prune(before: number, limit: number): number {
    // A caller asking for none must get none.
    if (!(limit >= 1)) return 0;
    return this.pruneAll(before, Math.floor(limit));
  }

  /**
   * Whole chunks go at once; a chunk holding events on both sides of the cut, or more than the
   * limit allows, is written back without the events prunedFrom takes from it. A
   * damaged chunk goes whole (it ends within MAX_CHUNK_SPAN_MS of the cut, and no reader can use it).
   */
  private pruneChunks(before: number, limit: number): number {
    const candidates = this.db.query<ChunkRecord, [number, number, number]>(QUERIES.pruneCandidates);
    const remove = this.db.query<unknown, [number]>(QUERIES.pruneChunk);
    const rewrite = this.db.query<unknown, [number, number, number, number, string]>(QUERIES.rewriteChunk);
    const ceiling = Math.min(before + MAX_CHUNK_SPAN_MS, Number.MAX_SAFE_INTEGER);
    let deleted = 0;
    while (deleted < limit) {
      const chunks = candidates.all(ceiling, before, PAGE_CHUNKS);
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        if (chunk.last < before && chunk.count <= limit - deleted) {
          remove.run(chunk.id);
          deleted += chunk.count;
          continue;
        }
        const events = this.eventsOf(chunk);
        if (events.length === 0) {
          remove.run(chunk.id);
          deleted += chunk.count;
          if (deleted >= limit) break;
          continue;
        }
        const doomed = prunedFrom(events, before, limit - deleted);
        const kept = events.filter((event) => !doomed.has(event));
        deleted += doomed.size;
        if (kept.length === 0) {
          remove.run(chunk.id);
        } else {
          // What is left of one chunk is one chunk again: same site, no longer span, fewer events.
          const [, first, last, count, json] = chunkRows(kept)[0]!;
          rewrite.run(chunk.id, first, last, count, json);
        }
        if (deleted >= limit) break;
      }
    }
    return deleted;
  }

  count(): number {
    return this.db.query<{ count: number }, []>(QUERIES.count).get()?.count ?? 0;
  }

  close(): void {
    // Safe to call twice. A range still being read throws at its next page.
    this.db.close();
  }
}

function isoTime(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}
