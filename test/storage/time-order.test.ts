import { describe, expect, test } from "bun:test";
import type { StoredEvent } from "../../src/storage/event-store.ts";
import { TimeOrder } from "../../src/storage/time-order.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const at = (time: number, path: string) => storedEvent({ time, path });

/** Feeds chunks (id, events) in order of their earliest time, as the store reads them. */
function ordered(chunks: Array<[id: number, events: StoredEvent[]]>): string[] {
  const order = new TimeOrder();
  const firstOf = (events: StoredEvent[]) => Math.min(...events.map((event) => event.time));
  const out: StoredEvent[] = [];
  for (const [id, events] of chunks.toSorted((a, b) => firstOf(a[1]) - firstOf(b[1]) || a[0] - b[0])) out.push(...order.add(id, firstOf(events), events));
  out.push(...order.rest());
  return out.map((event) => event.path);
}

describe("TimeOrder", () => {
  test("overlapping chunks interleave by time; equal times go by chunk id, then place in the chunk", () => {
    expect(
      ordered([
        [2, [at(15, "B15"), at(20, "B20a"), at(20, "B20b")]],
        [1, [at(10, "A10"), at(30, "A30"), at(20, "A20")]],
        [3, [at(40, "C40")]],
      ]),
    ).toEqual(["A10", "B15", "A20", "B20a", "B20b", "A30", "C40"]);
  });

  test("an event is let out only once no chunk still to come can hold an earlier one", () => {
    const order = new TimeOrder();
    expect(order.add(1, 10, [at(10, "a"), at(50, "b")])).toEqual([]);
    expect(order.add(2, 30, [at(30, "c")]).map((event) => event.path)).toEqual(["a"]);
    expect(order.add(3, 60, [at(60, "d")]).map((event) => event.path)).toEqual(["c", "b"]);
    expect(order.rest().map((event) => event.path)).toEqual(["d"]);
    expect(order.rest()).toEqual([]);
  });

  test("agrees with a stable sort by time over random chunks", () => {
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let round = 0; round < 50; round++) {
      const chunks: Array<[number, StoredEvent[]]> = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, id) => {
        const base = Math.floor(random() * 100);
        return [id, Array.from({ length: 1 + Math.floor(random() * 10) }, (_, i) => at(base + Math.floor(random() * 20), `${id}.${i}`))];
      });
      const expected = chunks.flatMap(([, events]) => events).toSorted((a, b) => a.time - b.time).map((event) => event.path);
      expect(ordered(chunks)).toEqual(expected);
    }
  });
});
