import { describe, expect, test } from "bun:test";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { startRetention } from "../../src/storage/retention.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const DAY = 86_400_000;

describe("retention", () => {
  test("prunes events older than the retention period at start", () => {
    const store = createMemoryStore();
    store.append([storedEvent({ time: 10 * DAY - 3 * DAY }), storedEvent({ time: 10 * DAY - DAY / 2 })]);
    const retention = startRetention(store, 2, () => 10 * DAY, () => {});
    expect(store.count()).toBe(1);
    retention.stop();
  });

  test("a prune that fails (a full disk: deleting needs room in the WAL too) is logged and does not stop the server", () => {
    const failing: EventStore = {
      ...createMemoryStore(),
      prune() {
        throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
      },
    };
    const lines: string[] = [];
    const retention = startRetention(failing, 30, Date.now, (line) => void lines.push(line));
    expect(lines).toEqual(["pulse: pruning events older than 30 days failed, tried again in an hour: SQLITE_FULL: database or disk is full"]);
    retention.stop();
  });
});
