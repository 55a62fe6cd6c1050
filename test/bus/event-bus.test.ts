import { describe, expect, test } from "bun:test";
import type { Batch, EventBus } from "../../src/bus/event-bus.ts";
import { IpcBus, IpcRelay, type Channel } from "../../src/bus/ipc-bus.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import { storedEvent } from "../helpers/stored-events.ts";

/** A pair of connected channels, delivering asynchronously and in order, like an IPC pipe. */
function pipe(): [Channel, Channel] {
  const handlers: [Array<(message: unknown) => void>, Array<(message: unknown) => void>] = [[], []];
  const end = (mine: 0 | 1): Channel => ({
    // Through JSON, as a real channel serializes.
    send: (message) => {
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      queueMicrotask(() => {
        for (const handler of handlers[1 - mine]!) handler(copy);
      });
    },
    onMessage: (handler) => void handlers[mine].push(handler),
  });
  return [end(0), end(1)];
}

const batchOf = (...paths: string[]): Batch => paths.map((path) => storedEvent({ path }));
const paths = (batches: Batch[]) => batches.map((batch) => batch.map((event) => event.path).join(","));
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function record(bus: Pick<EventBus, "onBatch">): Batch[] {
  const seen: Batch[] = [];
  bus.onBatch((batch) => seen.push(batch));
  return seen;
}

describe("LocalBus", () => {
  test("delivers each batch to every handler, in publish order, and nothing after close", () => {
    const bus = new LocalBus();
    const first = record(bus);
    const second = record(bus);
    bus.publish(batchOf("/a"));
    bus.publish(batchOf("/b", "/c"));
    bus.close();
    bus.publish(batchOf("/d"));
    expect(paths(first)).toEqual(["/a", "/b,/c"]);
    expect(paths(second)).toEqual(paths(first));
  });
});

describe("IpcBus and IpcRelay", () => {
  function cluster(workers: number) {
    const relay = new IpcRelay();
    const stored = record(relay);
    const buses = Array.from({ length: workers }, () => {
      const [primarySide, workerSide] = pipe();
      relay.listen(primarySide);
      relay.attach(primarySide);
      return { bus: new IpcBus(workerSide), primarySide };
    });
    return { relay, stored, buses, received: buses.map(({ bus }) => record(bus)) };
  }

  test("every worker, the publisher included, gets every batch in one order; the primary sees each once", async () => {
    const { stored, buses, received } = cluster(3);
    buses[0]!.bus.publish(batchOf("/0a"));
    buses[1]!.bus.publish(batchOf("/1a"));
    buses[0]!.bus.publish(batchOf("/0b"));
    buses[2]!.bus.publish(batchOf("/2a", "/2b"));
    await settle();
    expect(paths(stored)).toHaveLength(4);
    for (const seen of received) expect(paths(seen)).toEqual(paths(stored));
    // One publisher's batches stay in its order.
    expect(paths(stored).filter((p) => p.startsWith("/0"))).toEqual(["/0a", "/0b"]);
    // Events arrive whole, through serialization.
    expect(received[1]![0]![0]).toEqual(storedEvent({ path: paths(stored)[0]! }));
  });

  test("a detached worker gets nothing more, and the others go on", async () => {
    const { relay, buses, received } = cluster(2);
    relay.detach(buses[1]!.primarySide);
    buses[0]!.bus.publish(batchOf("/x"));
    buses[1]!.bus.publish(batchOf("/y"));
    await settle();
    expect(paths(received[0]!)).toEqual(["/x", "/y"]);
    expect(received[1]).toEqual([]);
  });

  test("a worker attached later gets only the batches after it (it rebuilds the rest from storage)", async () => {
    const { relay, buses } = cluster(1);
    buses[0]!.bus.publish(batchOf("/early"));
    await settle();
    const [primarySide, workerSide] = pipe();
    relay.listen(primarySide);
    relay.attach(primarySide);
    const late = record(new IpcBus(workerSide));
    buses[0]!.bus.publish(batchOf("/late"));
    await settle();
    expect(paths(late)).toEqual(["/late"]);
  });
});
