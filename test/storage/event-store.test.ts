/**
 * The event store contract, run against every implementation: the synchronous ones (memory,
 * SQLite) through `asyncStore`, and PostgreSQL against a real server (skipped, saying why, where
 * none is installed).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asyncStore, type AsyncEventStore, type StoredEvent } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { PostgresStore } from "../../src/storage/postgres-store.ts";
import { openSqliteStore } from "../../src/storage/sqlite-store.ts";
import { POSTGRES_MISSING, postgresBinaries, startPostgres, type PostgresProcess } from "../helpers/postgres-server.ts";
import { pluck, storedEvent } from "../helpers/stored-events.ts";

interface Opened {
  store: AsyncEventStore;
  dispose(): Promise<void> | void;
}

const postgresMissing = postgresBinaries() ? undefined : POSTGRES_MISSING;
if (postgresMissing) console.warn(`PostgreSQL event store tests skipped: ${postgresMissing}`);
let postgres: PostgresProcess | undefined;
beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

const implementations: Array<[name: string, open: () => Promise<Opened>]> = [
  ["memory", async () => ({ store: asyncStore(createMemoryStore()), dispose() {} })],
  [
    "sqlite",
    async () => {
      const directory = mkdtempSync(join(tmpdir(), "pulse-store-"));
      const store = asyncStore(openSqliteStore(join(directory, "events.db")));
      return {
        store,
        async dispose() {
          await store.close();
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  ],
  ...(postgresMissing
    ? []
    : [
        [
          "postgres",
          async () => {
            // Every test starts from an empty table, numbered from 1 again.
            const admin = new SQL(postgres!.url, { max: 1 });
            await admin`DROP TABLE IF EXISTS pulse_events, pulse_stream_positions`;
            await admin.close();
            const store = await PostgresStore.open(postgres!.url, { log: () => {} });
            return { store, dispose: () => store.close() };
          },
        ] as [string, () => Promise<Opened>],
      ]),
];

const at = (time: number, overrides: Partial<StoredEvent> = {}) => storedEvent({ time, ...overrides });

async function pluckAsync<K extends keyof StoredEvent>(events: AsyncIterable<StoredEvent>, key: K): Promise<Array<StoredEvent[K]>> {
  const values: Array<StoredEvent[K]> = [];
  for await (const event of events) values.push(event[key]);
  return values;
}

describe.each(implementations)("%s event store", (_name, open) => {
  let opened: Opened;
  let store: AsyncEventStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.dispose());

  test("since returns events at or after the time, in append order rather than time order", async () => {
    await store.append([at(50, { path: "/a" }), at(10, { path: "/old" }), at(30, { path: "/b" })]);
    await store.append([at(20, { path: "/c" }), at(60, { path: "/d" })]);
    expect(pluck(await store.since(20), "path")).toEqual(["/a", "/b", "/c", "/d"]);
    expect(pluck(await store.since(61), "path")).toEqual([]);
    expect((await store.count())).toBe(5);
  });

  test("since stops at a position taken earlier: what a joining process rebuilds before the bus takes over", async () => {
    expect((await store.lastPosition())).toBe(0);
    await store.append([at(10, { path: "/a" }), at(20, { path: "/b" })]);
    const position = (await store.lastPosition());
    expect(position).toBeGreaterThan(0);
    await store.append([at(30, { path: "/c" })]);
    expect((await store.lastPosition())).toBeGreaterThan(position);
    expect(pluck(await store.since(0, position), "path")).toEqual(["/a", "/b"]);
    expect(pluck(await store.since(15, position), "path")).toEqual(["/b"]);
    expect(pluck(await store.since(0), "path")).toEqual(["/a", "/b", "/c"]);
    // Pruning old events never moves the position back.
    const last = (await store.lastPosition());
    await store.prune(25, 10);
    expect((await store.lastPosition())).toBe(last);
  });

  test("stored events come back whole", async () => {
    const event = storedEvent({ props: { plan: "pro" } });
    await store.append([event]);
    expect((await store.since(0))).toEqual([event]);
  });

  test("range keeps one site and [from, to), oldest first, ties in append order", async () => {
    await store.append([
      at(300, { path: "/3" }),
      at(100, { path: "/1" }),
      at(200, { path: "/2a" }),
      at(200, { path: "/other", site: "other.org" }),
      at(200, { path: "/2b" }),
      at(400, { path: "/4" }),
    ]);
    expect(await pluckAsync(store.range({ site: "example.com", from: 100, to: 400 }), "path")).toEqual(["/1", "/2a", "/2b", "/3"]);
    expect(await pluckAsync(store.range({ site: "example.com", from: 101, to: 300 }), "path")).toEqual(["/2a", "/2b"]);
    expect(await pluckAsync(store.range({ site: "example.com" }), "path")).toEqual(["/1", "/2a", "/2b", "/3", "/4"]);
    expect(await pluckAsync(store.range({ site: "example.com", from: 300 }), "path")).toEqual(["/3", "/4"]);
    expect(await pluckAsync(store.range({ site: "example.com", to: 200 }), "path")).toEqual(["/1"]);
    expect(await pluckAsync(store.range({ site: "other.org" }), "path")).toEqual(["/other"]);
    expect(await pluckAsync(store.range({ site: "nobody.net" }), "path")).toEqual([]);
  });

  test("since and range agree with a plain filter over thousands of events: since in each site's append order, range in stable time order", async () => {
    // Times out of append order, repeated, and two sites: long enough for several pages of reads.
    const events = Array.from({ length: 2_500 }, (_, i) =>
      at((i * 37) % 1_000, { path: `/${i}`, site: i % 3 === 0 ? "other.org" : "example.com" }),
    );
    for (let i = 0; i < events.length; i += 400) await store.append(events.slice(i, i + 400));
    const paths = (list: StoredEvent[]) => list.map((event) => event.path);

    // Each site's events in append order; between sites, a store may order a batch as it likes.
    for (const site of ["example.com", "other.org"]) {
      const since = async (time: number) => (await store.since(time)).filter((event) => event.site === site);
      expect(paths(await since(0))).toEqual(paths(events.filter((event) => event.site === site)));
      expect(paths(await since(500))).toEqual(paths(events.filter((event) => event.site === site && event.time >= 500)));
    }
    expect((await store.since(0))).toHaveLength(events.length);
    const ofSite = events.filter((event) => event.site === "example.com");
    const byTime = ofSite.toSorted((a, b) => a.time - b.time);
    expect(await pluckAsync(store.range({ site: "example.com" }), "path")).toEqual(paths(byTime));
    expect(await pluckAsync(store.range({ site: "example.com", from: 100, to: 900 }), "path")).toEqual(
      paths(byTime.filter((event) => event.time >= 100 && event.time < 900)),
    );
  });

  test("thousands of events in one millisecond are each read once", async () => {
    const events = Array.from({ length: 2_500 }, (_, i) => at(7, { path: `/${i}` }));
    await store.append(events);
    expect(await pluckAsync(store.range({ site: "example.com", from: 7, to: 8 }), "path")).toEqual(events.map((event) => event.path));
    expect(pluck(await store.since(7), "path")).toEqual(events.map((event) => event.path));
  });

  test("a range can be left after a few events, and the store goes on working", async () => {
    await store.append(Array.from({ length: 10_000 }, (_, i) => at(i)));
    const iterator = store.range({ site: "example.com" })[Symbol.asyncIterator]();
    const firstThree = [await iterator.next(), await iterator.next(), await iterator.next()].map((result) => (result.done ? null : result.value.time));
    expect(firstThree).toEqual([0, 1, 2]);
    await iterator.return?.();

    await store.append([at(20_000)]);
    expect(await store.prune(5, 100)).toBe(5);
    expect((await store.count())).toBe(10_000 - 5 + 1);
  });

  test("breaking out of a for-of over a range leaves the store usable", async () => {
    await store.append(Array.from({ length: 100 }, (_, i) => at(i)));
    let seen = 0;
    for await (const _event of store.range({ site: "example.com" })) if (++seen === 3) break;
    await store.append([at(1_000)]);
    expect((await store.count())).toBe(101);
  });

  test("a range is an iterable: each loop starts over", async () => {
    await store.append([at(1), at(2)]);
    const range = store.range({ site: "example.com" });
    expect(await pluckAsync(range, "time")).toEqual([1, 2]);
    expect(await pluckAsync(range, "time")).toEqual([1, 2]);
  });

  test("two ranges read in turn each see their own events", async () => {
    await store.append(Array.from({ length: 20 }, (_, i) => at(i, { site: i % 2 === 0 ? "even.org" : "odd.org" })));
    const even = store.range({ site: "even.org" })[Symbol.asyncIterator]();
    const odd = store.range({ site: "odd.org" })[Symbol.asyncIterator]();
    const interleaved: number[] = [];
    for (let i = 0; i < 10; i++) {
      for (const iterator of [even, odd]) {
        const result = await iterator.next();
        if (!result.done) interleaved.push(result.value.time);
      }
    }
    expect(interleaved).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test("appending while a range is being read does not break the read", async () => {
    await store.append(Array.from({ length: 50 }, (_, i) => at(i)));
    const iterator = store.range({ site: "example.com", to: 50 })[Symbol.asyncIterator]();
    const times: number[] = [];
    const first = await iterator.next();
    if (!first.done) times.push(first.value.time);
    await store.append([at(1_000)]);
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) times.push(result.value.time);
    expect(times).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test("prune deletes only events older than the cut, oldest first, at most `limit` at a time", async () => {
    await store.append([at(5), at(1), at(4), at(2), at(3), at(10), at(11)]);
    expect(await store.prune(6, 2)).toBe(2);
    expect(pluck(await store.since(0), "time")).toEqual([5, 4, 3, 10, 11]);
    expect(await store.prune(6, 100)).toBe(3);
    expect(pluck(await store.since(0), "time")).toEqual([10, 11]);
    expect(await store.prune(6, 100)).toBe(0);
    expect(await store.prune(11, 0)).toBe(0);
    expect(await store.prune(11, -1)).toBe(0);
    expect((await store.count())).toBe(2);
  });

  test("prune keeps events at the cut, takes the first appended among equal times, and counts whole events", async () => {
    await store.append([at(3, { name: "first" }), at(3, { name: "second" }), at(3, { name: "third" }), at(4, { name: "at the cut" })]);
    expect(await store.prune(4, 1.9)).toBe(1);
    expect(pluck(await store.since(0), "name")).toEqual(["second", "third", "at the cut"]);
    expect(await store.prune(4, Number.NaN)).toBe(0);
    expect(await store.prune(4, 100)).toBe(2);
    expect(pluck(await store.since(0), "name")).toEqual(["at the cut"]);
  });

  test("prune goes on across batches: whole ones first, then part of the next, and each part once", async () => {
    await store.append([at(1), at(2), at(3)]);
    await store.append([at(4), at(5), at(6)]);
    await store.append([at(7), at(8), at(9, { site: "other.org" })]);
    expect(await store.prune(8, 4)).toBe(4);
    expect(pluck(await store.since(0), "time")).toEqual([5, 6, 7, 8, 9]);
    expect(await store.prune(8, 100)).toBe(3);
    expect(pluck(await store.since(0), "time")).toEqual([8, 9]);
    expect((await store.count())).toBe(2);
    expect(await pluckAsync(store.range({ site: "example.com" }), "time")).toEqual([8]);
  });

  test("range finds events at the far end of a long batch, a clock step apart", async () => {
    const minute = 60_000;
    await store.append([at(0, { path: "/0" }), at(minute, { path: "/1m" }), at(10 * minute, { path: "/10m" }), at(minute - 1, { path: "/1m-1" })]);
    expect(await pluckAsync(store.range({ site: "example.com", from: minute }), "path")).toEqual(["/1m", "/10m"]);
    expect(await pluckAsync(store.range({ site: "example.com", from: 1, to: 10 * minute }), "path")).toEqual(["/1m-1", "/1m"]);
    expect(await pluckAsync(store.range({ site: "example.com", from: 10 * minute }), "path")).toEqual(["/10m"]);
    expect(pluck(await store.since(minute), "path")).toEqual(["/1m", "/10m"]);
  });

  test("props round-trip: unicode, quotes, backslashes, newlines, empty", async () => {
    const props = { "plan \"quoted\"": "it's \"pro\"", emoji: "🍷 Château d'Yquem", path: "C:\\temp\\n", lines: "a\nb\r\n\tc", "": "" };
    await store.append([at(1, { props }), at(2, { props: {} })]);
    expect(pluck(await store.since(0), "props")).toEqual([props, {}]);
  });

  test("what was appended does not change when the caller reuses its objects", async () => {
    const event = at(1, { props: { plan: "pro" } });
    await store.append([event]);
    event.path = "/changed";
    event.props.plan = "free";
    const [stored] = await store.since(0);
    expect(stored?.path).toBe("/pricing");
    expect(stored?.props).toEqual({ plan: "pro" });
  });

  test("a batch with one event that cannot be stored is refused whole", async () => {
    await store.append([at(1)]);
    const unstorable = at(3, { props: { big: 10n } as unknown as Record<string, string> });
    expect(store.append([at(2), unstorable, at(4)])).rejects.toThrow();
    expect(pluck(await store.since(0), "time")).toEqual([1]);
    await store.append([at(5)]);
    expect(pluck(await store.since(0), "time")).toEqual([1, 5]);
  });

  test("a long batch is refused whole whichever of its events cannot be stored", async () => {
    await store.append([at(1)]);
    for (const bad of [0, 75, 119]) {
      const batch = Array.from({ length: 120 }, (_, i) => at(10 + i));
      batch[bad] = at(10 + bad, { props: { big: 10n } as unknown as Record<string, string> });
      expect(store.append(batch)).rejects.toThrow();
    }
    expect((await store.count())).toBe(1);
    const batch = Array.from({ length: 120 }, (_, i) => at(10 + i, { path: `/${i}` }));
    await store.append(batch);
    expect(pluck(await store.since(10), "path")).toEqual(batch.map((event) => event.path));
  });

  test("an empty append stores nothing", async () => {
    await store.append([]);
    expect((await store.count())).toBe(0);
    expect((await store.since(0))).toEqual([]);
  });

  test("count counts every site", async () => {
    expect((await store.count())).toBe(0);
    await store.append([at(1), at(2, { site: "other.org" })]);
    await store.append([at(3, { site: "third.net" })]);
    expect((await store.count())).toBe(3);
  });

  test("close can be called twice", async () => {
    await store.close();
    await store.close();
  });
});
