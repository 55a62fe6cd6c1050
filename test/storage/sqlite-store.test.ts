/** What only the SQLite store promises: a file that lasts, WAL, atomic batches, schema versions. */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError, type StoredEvent } from "../../src/storage/event-store.ts";
import { SCHEMA_VERSION } from "../../src/storage/sqlite-schema.ts";
import { QUERIES, openSqliteStore } from "../../src/storage/sqlite-store.ts";
import { pluck, storedEvent } from "../helpers/stored-events.ts";

let directory: string;
let file: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "pulse-sqlite-"));
  file = join(directory, "events.db");
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `body` on a plain connection to the file, closed afterwards. */
function withDatabase<T>(path: string, body: (db: Database) => T): T {
  const db = new Database(path);
  try {
    return body(db);
  } finally {
    db.close();
  }
}

describe("SQLite event store", () => {
  test("events survive closing and reopening the file", () => {
    const events = [storedEvent({ time: 2, props: { plan: "pro" } }), storedEvent({ time: 1, site: "other.org" })];
    const first = openSqliteStore(file);
    first.append(events);
    first.close();

    const second = openSqliteStore(file);
    expect([...second.since(0)]).toEqual(events);
    expect(second.count()).toBe(2);
    second.close();
  });

  test("the file is in WAL mode at the current schema version", () => {
    openSqliteStore(file).close();
    withDatabase(file, (db) => {
      expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
      expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
    });
  });

  test("a batch is all or nothing, whatever in it fails", () => {
    const store = openSqliteStore(file);
    store.append([storedEvent({ time: 1 })]);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const failing: Array<Partial<StoredEvent>> = [
      { props: circular as Record<string, string> }, // JSON.stringify throws
      { time: 1.5 }, // the STRICT table refuses a REAL in an INTEGER column
      { site: null as unknown as string }, // NOT NULL
    ];
    for (const bad of failing) {
      expect(() => store.append([storedEvent({ time: 2 }), storedEvent({ time: 3, ...bad }), storedEvent({ time: 4 })])).toThrow();
    }
    expect(pluck(store.since(0), "time")).toEqual([1]);
    store.append([storedEvent({ time: 5 })]);
    expect(pluck(store.since(0), "time")).toEqual([1, 5]);
    store.close();
  });

  test("a file of version 1, a row per event, is moved into chunks when opened, every event kept", () => {
    const events = Array.from({ length: 2_345 }, (_, i) =>
      storedEvent({ time: (i * 37) % 1_000, path: `/${i}`, site: i % 3 === 0 ? "other.org" : "example.com", props: i % 10 === 0 ? { n: String(i) } : {} }),
    );
    withDatabase(file, (db) => {
      db.run(`CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, site TEXT NOT NULL, name TEXT NOT NULL,
        visitor INTEGER NOT NULL, url TEXT NOT NULL, path TEXT NOT NULL, referrer TEXT NOT NULL, source TEXT NOT NULL,
        browser TEXT NOT NULL, os TEXT NOT NULL, device TEXT NOT NULL, country TEXT NOT NULL, props TEXT) STRICT`);
      db.run("CREATE INDEX events_site_time ON events (site, time)");
      db.run("CREATE INDEX events_time ON events (time)");
      const insert = db.query("INSERT INTO events (time, site, name, visitor, url, path, referrer, source, browser, os, device, country, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      // One transaction: a commit (and its fsync) per row takes seconds on a slow disk.
      db.transaction(() => {
        for (const e of events) {
          insert.run(e.time, e.site, e.name, e.visitor, e.url, e.path, e.referrer, e.source, e.browser, e.os, e.device, e.country, Object.keys(e.props).length > 0 ? JSON.stringify(e.props) : null);
        }
      })();
      db.run("PRAGMA user_version = 1");
    });

    const store = openSqliteStore(file);
    expect(store.count()).toBe(events.length);
    for (const site of ["example.com", "other.org"]) {
      const ofSite = events.filter((event) => event.site === site);
      expect([...store.since(0)].filter((event) => event.site === site)).toEqual(ofSite);
      expect([...store.range({ site })]).toEqual(ofSite.toSorted((a, b) => a.time - b.time));
    }
    store.close();
    withDatabase(file, (db) => {
      expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
      expect(db.query("SELECT name FROM sqlite_master WHERE name = 'events'").all()).toEqual([]);
    });
  });

  test("a file written by a newer Pulse is refused, and left as it was", () => {
    withDatabase(file, (db) => db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`));
    expect(() => openSqliteStore(file)).toThrow(
      `The event database ${file} has schema version ${SCHEMA_VERSION + 1}, but this Pulse only knows versions up to ${SCHEMA_VERSION}`,
    );
    withDatabase(file, (db) => {
      expect(db.query("SELECT count(*) AS tables FROM sqlite_schema").get()).toEqual({ tables: 0 });
    });
  });

  test("a path in a missing directory is refused with the path", () => {
    const missing = join(directory, "no-such-dir", "events.db");
    expect(() => openSqliteStore(missing)).toThrow(`Cannot open the event database ${missing}: the directory ${join(directory, "no-such-dir")} does not exist`);
  });

  test("a file that is not a database is refused with the path", () => {
    writeFileSync(file, "not a database, just text that is long enough to have a header ".repeat(10));
    expect(() => openSqliteStore(file)).toThrow(new RegExp(`^Cannot open the event database ${file}: .*not a database`));
    // A StorageError, so that the command line can print it as one line.
    expect(() => openSqliteStore(file)).toThrow(StorageError);
  });

  test("another connection appends while a range is read, without waiting and without disturbing it", () => {
    const reader = openSqliteStore(file);
    const writer = openSqliteStore(file);
    writer.append(Array.from({ length: 2_500 }, (_, i) => storedEvent({ time: i })));
    const times: number[] = [];
    for (const event of reader.range({ site: "example.com", to: 2_500 })) {
      times.push(event.time);
      if (times.length % 500 === 0) writer.append([storedEvent({ time: 10_000 + times.length })]);
    }
    expect(times).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    expect(reader.count()).toBe(2_505);
    reader.close();
    writer.close();
  });
});

describe("a damaged chunk", () => {
  /** Three batches of `site` at times 1, 2, 3 (one chunk each); the middle one's row is then overwritten with `events`. */
  function storeWithDamagedChunk(events: string) {
    const lines: string[] = [];
    const store = openSqliteStore(file, { log: (line) => void lines.push(line) });
    for (const time of [1, 2, 3]) store.append([storedEvent({ time, path: `/${time}` }), storedEvent({ time, site: "other.org" })]);
    const damaged = withDatabase(file, (db) => {
      const { id } = db.query<{ id: number }, []>("SELECT id FROM chunks WHERE site = 'example.com' AND first = 2").get()!;
      db.query("UPDATE chunks SET events = ? WHERE id = ?").run(events, id);
      return id;
    });
    return { store, lines, damaged };
  }

  test.each([
    ["invalid JSON", '[[2,"pageview",1,"https://exa'],
    ["JSON that is not a list of events", '{"time":2}'],
    ["an event of the wrong shape", '[[2,"pageview"]]'],
    ["a value of the wrong type", '[["2","pageview",1,"u","/","","","","","","",null]]'],
  ])("holding %s is skipped by every reader, counted, and logged once with its id", (_kind, events) => {
    const { store, lines, damaged } = storeWithDamagedChunk(events);
    const heard: number[] = [];
    store.onDamagedChunk((id) => heard.push(id));
    for (let read = 0; read < 2; read++) {
      expect(pluck(store.since(0), "path")).toEqual(["/1", "/pricing", "/pricing", "/3", "/pricing"]);
      expect(pluck(store.range({ site: "example.com" }), "path")).toEqual(["/1", "/3"]);
      expect(pluck(store.range({ site: "other.org" }), "time")).toEqual([1, 2, 3]);
    }
    expect(heard).toEqual([damaged]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`pulse: skipped the damaged stored chunk ${damaged} (site example.com, 1 event at 1970-01-01T00:00:00.002Z): `);
    store.close();
  });

  test("is pruned with its time, without stopping the prune", () => {
    const { store, damaged } = storeWithDamagedChunk("not json");
    expect(store.prune(3, 100)).toBe(4);
    expect(pluck(store.since(0), "time")).toEqual([3, 3]);
    withDatabase(file, (db) => expect(db.query("SELECT id FROM chunks WHERE id = ?").get(damaged)).toBeNull());
    store.close();
  });

  test("spanning the cut of a prune is removed whole: nothing can read it, and the prune goes on", () => {
    const lines: string[] = [];
    const store = openSqliteStore(file, { log: (line) => void lines.push(line) });
    store.append([storedEvent({ time: 1 }), storedEvent({ time: 5 })]);
    store.append([storedEvent({ time: 2, site: "other.org" })]);
    withDatabase(file, (db) => db.run("UPDATE chunks SET events = 'not json' WHERE site = 'example.com'"));
    expect(store.prune(3, 100)).toBe(3);
    expect(store.count()).toBe(0);
    expect(lines).toHaveLength(1);
    store.close();
  });
});

test("a range paused between events holds no read transaction, so the WAL can still be checkpointed", () => {
  const store = openSqliteStore(file);
  store.append(Array.from({ length: 2_500 }, (_, i) => storedEvent({ time: i })));
  // TRUNCATE must wait for every reader; this connection has no busy_timeout, so it reports busy at once.
  const checkpointBlocked = () =>
    withDatabase(file, (db) => db.query<{ busy: number }, []>("PRAGMA wal_checkpoint(TRUNCATE)").get()?.busy === 1);

  const iterator = store.range({ site: "example.com" })[Symbol.iterator]();
  const times: number[] = [];
  for (let result = iterator.next(); !result.done; result = iterator.next()) {
    times.push(result.value.time);
    if (times.length === 1 || times.length === 1_500) expect(checkpointBlocked()).toBe(false);
  }
  expect(times).toHaveLength(2_500);
  store.close();
});

describe("SQLite query plans", () => {
  // A full scan would make since() read 30 days to find 30 minutes; a temporary B-tree would make
  // range() sort (and so read) the whole range before its first row.
  const plan = (sql: string, ...params: Array<string | number>) =>
    withDatabase(file, (db) => db.query<{ detail: string }, typeof params>(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((row) => row.detail));

  beforeEach(() => openSqliteStore(file).close());

  test("range reads a site's chunks on the (site, first) index in order, without sorting", () => {
    expect(plan(QUERIES.rangePage, "example.com", 0, 0, 1, 0, 8)).toEqual(["SEARCH chunks USING INDEX chunks_site_first (site=? AND first>? AND first<?)"]);
  });

  test("since finds where to start on the index of chunks' latest times, then reads by id, without sorting", () => {
    expect(plan(QUERIES.sinceStart, 0)).toEqual(["SEARCH chunks USING COVERING INDEX chunks_last (last>?)"]);
    expect(plan(QUERIES.sincePage, 0, 0, 1, 100)).toEqual(["SEARCH chunks USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]);
  });

  test("prune finds its chunks on the same index, oldest-ending first, without sorting", () => {
    expect(plan(QUERIES.pruneCandidates, 0, 0, 8)).toEqual(["SEARCH chunks USING INDEX chunks_last (last<?)"]);
  });
});
