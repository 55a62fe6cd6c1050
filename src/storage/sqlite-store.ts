/**
 * The default event store: one SQLite file (bun:sqlite) in WAL mode. See sqlite-schema.ts for the
 * table, its indexes and the connection settings.
 */
import type { Database } from "bun:sqlite";
import type { EventStore, ExportQuery, StoredEvent } from "./event-store.ts";
import { openEventDatabase } from "./sqlite-schema.ts";

const COLUMNS = "time, site, name, visitor, url, path, referrer, source, browser, os, device, country, props";
const COLUMN_COUNT = 13;
const ROW = `(${Array(COLUMN_COUNT).fill("?").join(", ")})`;

/**
 * Rows per INSERT statement. One statement of many rows costs about a third less per event than
 * a statement per row (SQLite walks its two indexes once per statement, and the call into it is
 * made once); past about 50 rows it gains nothing more.
 */
const ROWS_PER_INSERT = 50;

/**
 * Reads go a page at a time, each page one short query read to the end. A cursor held open
 * instead would keep a read transaction open for as long as a slow export client takes, and no
 * WAL checkpoint can pass an open read transaction: the WAL would grow with every tick meanwhile.
 */
const PAGE_ROWS = 1_000;

/** Exported so tests can check the query plans: a full scan or a sort here would defeat laziness. */
export const QUERIES = {
  insert: `INSERT INTO events (${COLUMNS}) VALUES ${ROW}`,
  insertMany: `INSERT INTO events (${COLUMNS}) VALUES ${Array(ROWS_PER_INSERT).fill(ROW).join(", ")}`,
  // Rowids grow with each insert, so rowid order is append order. The first page starts just
  // before the smallest matching rowid, found on the time index (INDEXED BY, or SQLite walks the
  // table from its oldest row to find it), so only the recent tail is read; the time test still
  // drops an older event appended later, after a clock step back. No match: NULL, an empty page.
  sinceStart: "SELECT min(rowid) - 1 AS id FROM events INDEXED BY events_time WHERE time >= ?",
  sincePage: `SELECT rowid AS id, ${COLUMNS} FROM events WHERE rowid > ?1 AND rowid <= ?4 AND time >= ?2 ORDER BY rowid LIMIT ?3`,
  // AUTOINCREMENT is not used, so rowids are only "max + 1": pruning never removes the newest row,
  // so the maximum never goes back.
  lastPosition: "SELECT coalesce(max(rowid), 0) AS id FROM events",
  // Pages go on after the last (time, rowid) read. The index seeks on time alone, so the few rows
  // sharing the last row's millisecond are read again and skipped.
  rangePage: `SELECT rowid AS id, ${COLUMNS} FROM events
    WHERE site = ?1 AND (time, rowid) > (?2, ?3) AND time < ?4 ORDER BY time, rowid LIMIT ?5`,
  prune: "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE time < ? ORDER BY time LIMIT ?)",
  count: "SELECT count(*) AS count FROM events",
} as const;

type EventRow = Omit<StoredEvent, "props"> & { id: number; props: string | null };
type Value = string | number | null;

export function openSqliteStore(path: string): EventStore {
  return new SqliteStore(openEventDatabase(path));
}

class SqliteStore implements EventStore {
  private readonly insertAll: (events: readonly StoredEvent[]) => void;

  constructor(private readonly db: Database) {
    // db.query() statements are cached and owned by the Database, so close() finalizes them.
    const insert = db.query<unknown, Value[]>(QUERIES.insert);
    const insertMany = db.query<unknown, Value[]>(QUERIES.insertMany);
    const many: Value[] = new Array<Value>(ROWS_PER_INSERT * COLUMN_COUNT);
    const one: Value[] = new Array<Value>(COLUMN_COUNT);
    const transaction = db.transaction((events: readonly StoredEvent[]) => {
      let next = 0;
      for (; next + ROWS_PER_INSERT <= events.length; next += ROWS_PER_INSERT) {
        for (let row = 0; row < ROWS_PER_INSERT; row++) putRow(many, row * COLUMN_COUNT, events[next + row]!);
        insertMany.run(...many);
      }
      // The last few, a row each.
      for (; next < events.length; next++) {
        putRow(one, 0, events[next]!);
        insert.run(...one);
      }
    });
    // IMMEDIATE: take the write lock at BEGIN, where busy_timeout waits for it, rather than
    // failing halfway through if another process is writing.
    this.insertAll = transaction.immediate;
  }

  append(events: readonly StoredEvent[]): void {
    if (events.length > 0) this.insertAll(events);
  }

  since(time: number, through = Number.MAX_SAFE_INTEGER): Iterable<StoredEvent> {
    const start = this.db.query<{ id: number | null }, [number]>(QUERIES.sinceStart);
    const page = this.db.query<EventRow, Value[]>(QUERIES.sincePage);
    return pages((after) => page.all(after?.id ?? start.get(time)?.id ?? null, time, PAGE_ROWS, through));
  }

  lastPosition(): number {
    return this.db.query<{ id: number }, []>(QUERIES.lastPosition).get()?.id ?? 0;
  }

  range({ site, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER }: ExportQuery): Iterable<StoredEvent> {
    const page = this.db.query<EventRow, Value[]>(QUERIES.rangePage);
    // Before the first page, (from, MIN_SAFE_INTEGER) stands for "just before every row at `from`".
    return pages((after) => page.all(site, after?.time ?? from, after?.id ?? Number.MIN_SAFE_INTEGER, to, PAGE_ROWS));
  }

  prune(before: number, limit: number): number {
    // SQLite reads a negative LIMIT as "no limit"; a caller asking for none must get none.
    if (!(limit >= 1)) return 0;
    return this.db.query<unknown, [number, number]>(QUERIES.prune).run(before, Math.floor(limit)).changes;
  }

  count(): number {
    return this.db.query<{ count: number }, []>(QUERIES.count).get()?.count ?? 0;
  }

  close(): void {
    // Safe to call twice. A range still being read throws at its next page.
    this.db.close();
  }
}

/**
 * Lazily reads page after page, each fetched with the last row of the one before (undefined for
 * the first), until a short page. Each loop over the result starts over.
 */
function pages(fetch: (after: EventRow | undefined) => EventRow[]): Iterable<StoredEvent> {
  return {
    *[Symbol.iterator]() {
      let after: EventRow | undefined;
      for (;;) {
        const rows = fetch(after);
        for (const row of rows) yield fromRow(row);
        if (rows.length < PAGE_ROWS) return;
        after = rows[rows.length - 1];
      }
    },
  };
}

/** Writes an event's columns into `values` from `at` on, in COLUMNS order. */
function putRow(values: Value[], at: number, e: StoredEvent): void {
  values[at] = e.time;
  values[at + 1] = e.site;
  values[at + 2] = e.name;
  values[at + 3] = e.visitor;
  values[at + 4] = e.url;
  values[at + 5] = e.path;
  values[at + 6] = e.referrer;
  values[at + 7] = e.source;
  values[at + 8] = e.browser;
  values[at + 9] = e.os;
  values[at + 10] = e.device;
  values[at + 11] = e.country;
  values[at + 12] = propsJson(e.props);
}

/** Most events carry no props: NULL costs a byte where "{}" costs three. */
function propsJson(props: Record<string, string>): string | null {
  for (const _ in props) return JSON.stringify(props);
  return null;
}

function fromRow({ id: _rowid, props, ...event }: EventRow): StoredEvent {
  return { ...event, props: props === null ? {} : (JSON.parse(props) as Record<string, string>) };
}
