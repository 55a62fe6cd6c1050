import { describe, expect, test } from "bun:test";
import { Metrics } from "../../src/core/metrics.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { WriteBuffer } from "../../src/storage/write-buffer.ts";
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
});
