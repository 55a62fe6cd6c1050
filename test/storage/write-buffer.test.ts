import { describe, expect, test } from "bun:test";
import { Metrics } from "../../src/core/metrics.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { DRAIN_CHUNK, WriteBuffer } from "../../src/storage/write-buffer.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const event = (time: number, site = "a.test") => storedEvent({ time, site });

/** A store that refuses events of `refusedSite`, or everything while `down`. */
function flakyStore(refusedSite: string) {
  const inner = createMemoryStore();
  const state = { down: false };
  const store: EventStore = {
    ...inner,
    append(events) {
      if (state.down || events.some((e) => e.site === refusedSite)) throw new Error("refused");
      inner.append(events);
    },
    count: () => inner.count(),
  };
  return { store, state };
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

  test("one event the store refuses is dropped; the rest of its batch is stored", () => {
    const { store } = flakyStore("bad.test");
    const metrics = new Metrics();
    const buffer = new WriteBuffer(store, metrics, () => {});
    buffer.add(event(1));
    buffer.add(event(2, "bad.test"));
    buffer.add(event(3));
    buffer.flush();
    expect(store.count()).toBe(2);
    expect(buffer.size).toBe(0);
    expect(metrics.storageErrors).toBe(1);
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
    /** Turns of the event loop, run by hand. */
    function laterQueue() {
      const queue: Array<() => void> = [];
      return { later: (next: () => void) => queue.push(next), turn: () => queue.shift()?.(), get waiting() { return queue.length; } };
    }

    test("writes one chunk at once and the rest a chunk per turn, oldest first", () => {
      const store = createMemoryStore();
      const loop = laterQueue();
      const buffer = new WriteBuffer(store, new Metrics(), () => {}, loop.later);
      for (let i = 0; i < DRAIN_CHUNK * 2 + 5; i++) buffer.add(event(i));
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK);
      expect([...store.since(0)].map((e) => e.time).slice(-1)).toEqual([DRAIN_CHUNK - 1]);
      loop.turn();
      expect(store.count()).toBe(DRAIN_CHUNK * 2);
      buffer.add(event(99_999));
      loop.turn();
      expect(store.count()).toBe(DRAIN_CHUNK * 2 + 6);
      expect(buffer.size).toBe(0);
      expect(loop.waiting).toBe(0);
    });

    test("the next tick's drain, while one is still running, catches up at once: the backlog never passes a tick", () => {
      const store = createMemoryStore();
      const loop = laterQueue();
      const buffer = new WriteBuffer(store, new Metrics(), () => {}, loop.later);
      for (let i = 0; i < DRAIN_CHUNK * 3; i++) buffer.add(event(i));
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK);
      for (let i = 0; i < 10; i++) buffer.add(event(DRAIN_CHUNK * 3 + i));
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK * 3 + 10);
      expect([...store.since(0)].map((e) => e.time)).toEqual(Array.from({ length: DRAIN_CHUNK * 3 + 10 }, (_, i) => i));
      loop.turn();
      expect(loop.waiting).toBe(0);
      expect(buffer.size).toBe(0);
    });

    test("a flush in the middle of a drain writes everything, and the drain then ends", () => {
      const store = createMemoryStore();
      const loop = laterQueue();
      const buffer = new WriteBuffer(store, new Metrics(), () => {}, loop.later);
      for (let i = 0; i < DRAIN_CHUNK + 10; i++) buffer.add(event(i));
      buffer.drain();
      buffer.flush();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      loop.turn();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      expect(loop.waiting).toBe(0);
    });

    test("when the store goes down mid-drain the rest waits, and the next drain writes it", () => {
      const { store, state } = flakyStore("none");
      const loop = laterQueue();
      const metrics = new Metrics();
      const buffer = new WriteBuffer(store, metrics, () => {}, loop.later);
      for (let i = 0; i < DRAIN_CHUNK + 10; i++) buffer.add(event(i));
      buffer.drain();
      state.down = true;
      loop.turn();
      expect(buffer.size).toBe(10);
      expect(loop.waiting).toBe(0);
      expect(metrics.storageErrors).toBe(1);
      state.down = false;
      buffer.drain();
      expect(store.count()).toBe(DRAIN_CHUNK + 10);
      expect(metrics.storedEvents).toBe(DRAIN_CHUNK + 10);
    });
  });
});
