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
