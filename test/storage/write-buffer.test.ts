import { describe, expect, test } from "bun:test";
import { Metrics } from "../../src/core/metrics.ts";
import type { EventStore, StoredEvent } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { DRAIN_CHUNK, WriteBuffer } from "../../src/storage/write-buffer.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const event = (time: number, site = "a.test") => storedEvent({ time, site });

/** What bun:sqlite throws when the disk is full (an SQLiteError with its code). */
const diskFull = () => Object.assign(new Error("database or disk is full"), { name: "SQLiteError", code: "SQLITE_FULL", errno: 13 });

/** A memory store whose append first asks `refuse`, which throws to fail the batch whole, as SQLite does. */
function guardedStore(refuse: (events: readonly StoredEvent[], stored: number) => void): EventStore {
  const inner = createMemoryStore();
  return {
    ...inner,
    append(events) {
      refuse(events, inner.count());
      inner.append(events);
    },
  };
}

/**
 * A store that refuses events of `refusedSite` for themselves (as encodeEvents refuses a value it
 * could not read back), or fails as a full disk does while `down`.
 */
function flakyStore(refusedSite: string) {
  const state = { down: false };
  const store = guardedStore((events) => {
    if (state.down) throw diskFull();
    if (events.some((e) => e.site === refusedSite)) throw new TypeError("an event's time must be an integer, not 1.5");
  });
  return { store, state };
}

/** A store on a disk with room for `room` events (none stored in part), as SQLite on a full disk: a small batch may still fit where a large one does not. */
function smallDisk(room: number) {
  const disk = { room };
  const store = guardedStore((events, stored) => {
    if (stored + events.length > disk.room) throw diskFull();
  });
  return { store, disk };
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

describe("WriteBuffer", () => {
  test("writes each tick's events in one batch", () => {
    const store = createMemoryStore();
    const metrics = new Metrics();
    const buffer = new WriteBuffer(store, metrics, () => {});
    buffer.add(event(1));
    buffer.add(event(2));
    expect(store.count()).toBe(0);
    buffer.flush();
    expect(store.count()).toBe(2);
    expect(metrics.storedEvents).toBe(2);
    expect(buffer.size).toBe(0);
  });

  test("one event the store refuses for itself is dropped, counted and logged; the rest of its batch is stored", () => {
    const { store } = flakyStore("bad.test");
    const metrics = new Metrics();
    const { lines, log } = recordingLog();
    const buffer = new WriteBuffer(store, metrics, log);
    buffer.add(event(1));
    buffer.add(event(2, "bad.test"));
    buffer.add(event(3));
    buffer.flush();
    expect(store.count()).toBe(2);
    expect(buffer.size).toBe(0);
    expect(metrics.storageErrors).toBe(1);
    expect(metrics.eventsNotStored.refused).toBe(1);
    expect(metrics.eventsNotStored.backlog).toBe(0);
    expect(metrics.storageFault).toBe("");
    expect(lines.filter((line) => line.includes("refused"))).toEqual([
      "pulse: storage refused 1 event and dropped it: an event's time must be an integer, not 1.5",
    ]);
  });

  test("refused events are logged in one line a minute, not one a batch", () => {
    const { store } = flakyStore("bad.test");
    const metrics = new Metrics();
    const { lines, log } = recordingLog();
    let now = 0;
    const buffer = new WriteBuffer(store, metrics, log, setImmediate, { now: () => now });
    for (let tick = 0; tick < 20; tick++) {
      buffer.add(event(tick));
      buffer.add(event(tick, "bad.test"));
      buffer.add(event(tick, "bad.test"));
      buffer.flush();
      now += 1_000;
    }
    expect(metrics.eventsNotStored.refused).toBe(40);
    expect(store.count()).toBe(20);
    expect(lines).toHaveLength(1);
    now = 61_000;
    buffer.add(event(99, "bad.test"));
    buffer.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("pulse: storage refused 39 events and dropped them: an event's time must be an integer, not 1.5");
  });

  test("a full disk keeps every event waiting, none dropped, until space returns; then all are stored", () => {
    const { store, disk } = smallDisk(5);
    const metrics = new Metrics();
    const { lines, log } = recordingLog();
    const buffer = new WriteBuffer(store, metrics, log);
    for (let i = 0; i < 10; i++) buffer.add(event(i));
    buffer.flush();
    for (let i = 10; i < 20; i++) buffer.add(event(i));
    buffer.flush();
    expect(buffer.size).toBe(20);
    expect(metrics.storageFault).toContain("SQLITE_FULL: database or disk is full");
    expect(metrics.eventsNotStored).toEqual({ refused: 0, backlog: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("pulse: storage is failing (SQLITE_FULL: database or disk is full)");

    disk.room = Infinity;
    buffer.flush();
    expect([...store.since(0)].map((e) => e.time)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(metrics.storedEvents).toBe(20);
    expect(metrics.eventsNotStored).toEqual({ refused: 0, backlog: 0 });
    expect(metrics.storageFault).toBe("");
    expect(lines.at(-1)).toStartWith("pulse: storage works again");
  });

  test("the disk filling up in the middle of retrying a refused batch one by one drops nothing but the refused event", () => {
    const disk = { room: 2 };
    const store = guardedStore((events, stored) => {
      if (events.some((e) => e.site === "bad.test")) throw new TypeError("refused for itself");
      if (stored + events.length > disk.room) throw diskFull();
    });
    const metrics = new Metrics();
    const buffer = new WriteBuffer(store, metrics, () => {});
    for (let i = 0; i < 6; i++) buffer.add(event(i, i === 1 ? "bad.test" : "a.test"));
    buffer.flush();
    expect(store.count()).toBe(2);
    expect(metrics.eventsNotStored.refused).toBe(1);
    expect(buffer.size).toBe(3);
    disk.room = Infinity;
    buffer.flush();
    expect([...store.since(0)].map((e) => e.time)).toEqual([0, 2, 3, 4, 5]);
  });

  test("while storage fails, events past the bound are given up oldest first, counted and logged", () => {
    const { store, state } = flakyStore("none");
    const metrics = new Metrics();
    const { lines, log } = recordingLog();
    const buffer = new WriteBuffer(store, metrics, log, setImmediate, { maxPending: 10 });
    state.down = true;
    for (let i = 0; i < 25; i++) buffer.add(event(i));
    buffer.flush();
    expect(buffer.size).toBe(10);
    expect(metrics.eventsNotStored.backlog).toBe(15);
    expect(lines.some((line) => line.includes("gave up the oldest 15 events"))).toBe(true);
    state.down = false;
    buffer.flush();
    expect([...store.since(0)].map((e) => e.time)).toEqual(Array.from({ length: 10 }, (_, i) => 15 + i));
  });

  test("closing while storage still fails gives up what waits, counted and told in one line", () => {
    const { store, state } = flakyStore("none");
    const metrics = new Metrics();
    const { lines, log } = recordingLog();
    const buffer = new WriteBuffer(store, metrics, log);
    state.down = true;
    for (let i = 0; i < 7; i++) buffer.add(event(i));
    buffer.flush();
    buffer.close();
    expect(buffer.size).toBe(0);
    expect(metrics.eventsNotStored.backlog).toBe(7);
    expect(lines.at(-1)).toMatch(/^pulse: stopping while storage is failing since \S+: SQLITE_FULL: database or disk is full; 7 accepted events could not be stored$/);
  });

  test("closing writes everything pending", () => {
    const store = createMemoryStore();
    const buffer = new WriteBuffer(store, new Metrics(), () => {});
    for (let i = 0; i < DRAIN_CHUNK + 3; i++) buffer.add(event(i));
    buffer.close();
    expect(store.count()).toBe(DRAIN_CHUNK + 3);
  });

  test("a store that fails in any other way than refusing an event (closed, locked, read-only) is waited for too", () => {
    const failure = { error: undefined as Error | undefined };
    const store = guardedStore(() => {
      if (failure.error) throw failure.error;
    });
    const metrics = new Metrics();
    const buffer = new WriteBuffer(store, metrics, () => {});
    const errors = [
      new Error("Database has closed"),
      Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }),
      Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" }),
      Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" }),
      Object.assign(new Error("unable to open database file"), { code: "SQLITE_CANTOPEN" }),
    ];
    for (const [i, error] of errors.entries()) {
      failure.error = error;
      buffer.add(event(i));
      buffer.flush();
      expect(metrics.storageFault).toContain(error.message);
    }
    expect(buffer.size).toBe(errors.length);
    failure.error = undefined;
    buffer.flush();
    expect(store.count()).toBe(errors.length);
    expect(metrics.eventsNotStored.refused).toBe(0);
  });

  test("while the store is down, events wait for the next tick", () => {
    const { store, state } = flakyStore("none");
    const buffer = new WriteBuffer(store, new Metrics(), () => {});
    state.down = true;
    buffer.add(event(1));
    buffer.flush();
    expect(buffer.size).toBe(1);
    state.down = false;
    buffer.add(event(2));
    buffer.flush();
    expect(store.count()).toBe(2);
  });

  describe("drain", () => {
    /** A buffer over `store` holding `count` events (times 0, 1, …), whose event-loop turns the test runs by hand. */
    function drainable(count: number, store: EventStore = createMemoryStore(), metrics = new Metrics()) {
      const queue: Array<() => void> = [];
      const buffer = new WriteBuffer(store, metrics, () => {}, (next) => queue.push(next));
      for (let i = 0; i < count; i++) buffer.add(event(i));
      return { buffer, store, turn: () => queue.shift()?.(), waiting: () => queue.length };
    }

    test("writes one chunk at once and the rest a chunk per turn, oldest first", () => {
      const { buffer, store, turn, waiting } = drainable(DRAIN_CHUNK * 2 + 5);
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK);
      expect([...store.since(0)].map((e) => e.time).slice(-1)).toEqual([DRAIN_CHUNK - 1]);
      turn();
      expect(store.count()).toBe(DRAIN_CHUNK * 2);
      buffer.add(event(99_999));
      turn();
      expect(store.count()).toBe(DRAIN_CHUNK * 2 + 6);
      expect(buffer.size).toBe(0);
      expect(waiting()).toBe(0);
    });

    test("the next tick's drain, while one is still running, catches up at once: the backlog never passes a tick", () => {
      const { buffer, store, turn, waiting } = drainable(DRAIN_CHUNK * 3);
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK);
      for (let i = 0; i < 10; i++) buffer.add(event(DRAIN_CHUNK * 3 + i));
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK * 3 + 10);
      expect([...store.since(0)].map((e) => e.time)).toEqual(Array.from({ length: DRAIN_CHUNK * 3 + 10 }, (_, i) => i));
      turn();
      expect(waiting()).toBe(0);
      expect(buffer.size).toBe(0);
    });

    test("a flush in the middle of a drain writes everything, and the drain then ends", () => {
      const { buffer, store, turn, waiting } = drainable(DRAIN_CHUNK + 10);
      buffer.drain();
      buffer.flush();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      turn();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      expect(waiting()).toBe(0);
    });

    test("when the store goes down mid-drain the rest waits, and the next drain writes it", () => {
      const flaky = flakyStore("none");
      const { state } = flaky;
      const metrics = new Metrics();
      const { buffer, store, turn, waiting } = drainable(DRAIN_CHUNK + 10, flaky.store, metrics);
      buffer.drain();
      state.down = true;
      turn();
      expect(buffer.size).toBe(10);
      expect(waiting()).toBe(0);
      expect(metrics.storageErrors).toBe(1);
      state.down = false;
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      expect(metrics.storedEvents).toBe(DRAIN_CHUNK + 10);
    });
  });
});
