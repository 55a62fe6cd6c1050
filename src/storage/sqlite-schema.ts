/**
 * Opening the event database: connection settings, then the schema, versioned with
 * `PRAGMA user_version` so a later Pulse can migrate a file an earlier one wrote.
 */
import { openSqlite, type SqliteDatabase } from "./sqlite-driver.ts";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { INSERT_CHUNK, chunkRows, type ChunkRow } from "./event-chunks.ts";
import { StorageError, type StoredEvent } from "./event-store.ts";
import { errorMessage } from "../core/error-message.ts";

/**
 * Step i takes a database from version i to version i + 1. Append steps, never edit one that has
 * shipped: files in the field were made by it.
 */
const migrations: ReadonlyArray<(db: SqliteDatabase) => void> = [
  (db) => {
    // STRICT: a wrongly typed value (a string or 1.5 as a time) fails the batch instead of being
    // stored and breaking every later range query.
    db.run(`CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      time INTEGER NOT NULL,
      site TEXT NOT NULL,
      name TEXT NOT NULL,
      visitor INTEGER NOT NULL,
      url TEXT NOT NULL,
      path TEXT NOT NULL,
      referrer TEXT NOT NULL,
      source TEXT NOT NULL,
      browser TEXT NOT NULL,
      os TEXT NOT NULL,
      device TEXT NOT NULL,
      country TEXT NOT NULL,
      props TEXT
    ) STRICT`);
    // (site, time) serves range() in order with no sort step, since the index ends in the rowid;
    // (time) serves since() and prune().
    db.run("CREATE INDEX events_site_time ON events (site, time)");
    db.run("CREATE INDEX events_time ON events (time)");
  },
  (db) => {
    // Events in chunks, a row per site per stored batch (see event-chunks.ts): a row per event
    // cost most of ingest's storage work. `count` is the number of events in `events`.
    db.run(`CREATE TABLE chunks (
      id INTEGER PRIMARY KEY,
      site TEXT NOT NULL,
      first INTEGER NOT NULL,
      last INTEGER NOT NULL,
      count INTEGER NOT NULL,
      events TEXT NOT NULL
    ) STRICT`);
    // (site, first) serves range() in order with no sort step, since the index ends in the id;
    // (last) serves since() and prune().
    db.run("CREATE INDEX chunks_site_first ON chunks (site, first)");
    db.run("CREATE INDEX chunks_last ON chunks (last)");
    moveEventRowsToChunks(db);
    db.run("DROP TABLE events");
  },
];

export const SCHEMA_VERSION = migrations.length;

/** Passed on as it is: its message already says what to do. */
class SchemaTooNewError extends StorageError {}

/** Opens (creating if needed) the event database at `path`; throws a StorageError naming the path and the cause. */
export function openEventDatabase(path: string): SqliteDatabase {
  const inMemory = path === ":memory:";
  const directory = dirname(resolve(path));
  if (!inMemory && !existsSync(directory)) {
    throw new StorageError(`Cannot open the event database ${path}: the directory ${directory} does not exist`);
  }
  let db: SqliteDatabase;
  try {
    db = openSqlite(path);
  } catch (cause) {
    throw new StorageError(`Cannot open the event database ${path}: ${describe(cause)}`, { cause });
  }
  try {
    configure(db);
    migrate(db, path);
    return db;
  } catch (cause) {
    db.close();
    if (cause instanceof SchemaTooNewError) throw cause;
    throw new StorageError(`Cannot open the event database ${path}: ${describe(cause)}`, { cause });
  }
}

function configure(db: SqliteDatabase): void {
  // Another process (a second Pulse, a backup, the sqlite3 shell) may hold the write lock briefly.
  db.run("PRAGMA busy_timeout = 5000");
  // WAL: readers (an export) and the writer (each tick) do not block each other.
  db.run("PRAGMA journal_mode = WAL");
  // In WAL mode NORMAL syncs at checkpoints, not at each commit: a committed batch survives a
  // crash of the process (it is in the WAL file, in the OS cache), and the database stays
  // consistent after a power cut, which may lose only the last batches before it. FULL would cost
  // an fsync per tick for that.
  db.run("PRAGMA synchronous = NORMAL");
  // Checkpoint every 10,000 pages (40 MB of WAL) rather than SQLite's 1,000: each tick rewrites the
  // same last pages of the table and its indexes, and a checkpoint copies a page once however
  // many ticks changed it, so rarer checkpoints copy far less (see docs/benchmarks.md#wal_autocheckpoint).
  db.run("PRAGMA wal_autocheckpoint = 10000");
  // The WAL is reused, not shrunk, after a checkpoint. If something held it open for long (a
  // backup, another reader) and it grew, cut it back to this size then.
  db.run("PRAGMA journal_size_limit = 67108864");
}

function migrate(db: SqliteDatabase, path: string): void {
  // IMMEDIATE takes the write lock first, so two processes opening a new file at once cannot
  // both run the same step.
  db.transaction(() => {
    const found = userVersion(db);
    if (found > SCHEMA_VERSION) {
      throw new SchemaTooNewError(
        `The event database ${path} has schema version ${found}, but this Pulse only knows versions up to ${SCHEMA_VERSION}: ` +
          "it was written by a newer Pulse. Run that version, or use another data directory.",
      );
    }
    for (let version = found; version < SCHEMA_VERSION; version++) migrations[version]?.(db);
    // PRAGMA takes no bound parameters; SCHEMA_VERSION is a number we own.
    if (found !== SCHEMA_VERSION) db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Version 1's rows, a thousand at a time in the order they were appended, into chunks. */
function moveEventRowsToChunks(db: SqliteDatabase): void {
  const total = db.query<{ count: number }, []>("SELECT count(*) AS count FROM events").get()?.count ?? 0;
  // Say so when the wait will be noticed (see docs/benchmarks.md#moving-rows-into-chunks).
  if (total >= 1_000_000) console.error(`pulse: moving ${total} stored events into this version's layout, once; this takes a few seconds per million`);
  const read = db.query<StoredEvent & { id: number; props: string | null }, [number]>(
    "SELECT rowid AS id, time, site, name, visitor, url, path, referrer, source, browser, os, device, country, props FROM events WHERE rowid > ? ORDER BY rowid LIMIT 1000",
  );
  const insert = db.query<unknown, ChunkRow>(INSERT_CHUNK);
  let after = 0;
  for (;;) {
    const rows = read.all(after);
    if (rows.length === 0) return;
    const events = rows.map(({ id: _id, props, ...event }) => ({ ...event, props: props === null ? {} : (JSON.parse(props) as Record<string, string>) }));
    for (const row of chunkRows(events)) insert.run(...row);
    after = rows[rows.length - 1]!.id;
  }
}

function userVersion(db: SqliteDatabase): number {
  return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
}

/** One line: a damaged row met while migrating, for one, carries the text around it. */
function describe(error: unknown): string {
  return errorMessage(error).replace(/\s+/g, " ");
}
