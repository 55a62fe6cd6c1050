import { describe, expect, test } from "bun:test";
import type { Batch } from "../../src/bus/event-bus.ts";
import { IpcBus, isTickMessage, type BatchMessage, type Channel } from "../../src/bus/ipc-bus.ts";
import { IpcRelay, TALKING_FACTOR, type RelayOptions } from "../../src/bus/ipc-relay.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import { pipe as pipeOf } from "../helpers/pipe.ts";
import { storedEvent } from "../helpers/stored-events.ts";

/** A pair of connected channels, as in an IPC pipe. */
const pipe = () => pipeOf().ends;

const batchOf = (...paths: string[]): Batch => paths.map((path) => storedEvent({ path }));
const paths = (batches: Batch[]) => batches.map((batch) => batch.map((event) => event.path).join(","));
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function record(bus: { onBatch(handler: (batch: Batch) => void): void }): Batch[] {
  const seen: Batch[] = [];
  bus.onBatch((batch) => seen.push(batch));
  return seen;
}

/** What is particular to the IPC bus: the relay's bounds and a worker's congestion. The guarantees of every bus are in test/contracts/event-bus.contract.test.ts. */
/** A worker's side of the channel, its primary played by the test: what the worker sent, and a way to answer it. */
function workerChannel() {
  const sent: unknown[] = [];
  let receive: (message: unknown) => void = () => {};
  const channel: Channel = { send: (message) => void sent.push(message), onMessage: (handler) => void (receive = handler) };
  const batches = () => sent.filter((message) => (message as { type: string }).type === "batch") as BatchMessage[];
  return { channel, sent, batches, receive: (message: unknown) => receive(message) };
}

describe("IpcBus and IpcRelay", () => {
  function cluster(workers: number, options: RelayOptions = {}) {
    const relay = new IpcRelay(options);
    const stored = record(relay);
    const buses = Array.from({ length: workers }, () => {
      const [primarySide, workerSide] = pipe();
      relay.listen(primarySide);
      relay.attach(primarySide);
      return { bus: new IpcBus(workerSide), primarySide, workerSide };
    });
    return { relay, stored, buses, received: buses.map(({ bus }) => record(bus)) };
  }

  test("the primary sees each batch once, as every worker does, in their one order", async () => {
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

  test("a worker that does not read is cut off once too much waits for it; the others go on", async () => {
    const overfull: Channel[] = [];
    let now = 0;
    const relay = new IpcRelay({ inFlightChars: 5_000, maxUnreadChars: 20_000, quietMs: 1_000, now: () => now, onOverfull: (peer) => overfull.push(peer) });
    const reading = pipe();
    relay.listen(reading[0]);
    relay.attach(reading[0]);
    const bus = new IpcBus(reading[1]);
    const received = record(bus);
    // A process that said it was ready, then stopped: its channel takes what it is given, and nothing comes back.
    let stoppedGot = 0;
    let speak: (message: unknown) => void = () => {};
    const stopped: Channel = { send: () => void stoppedGot++, onMessage: (handler) => void (speak = handler) };
    relay.listen(stopped);
    relay.attach(stopped);
    speak({ type: "ready" });
    // Stopped for more than a second: what waits for it is over the limit once it is quiet that long.
    now = 1_001;
    for (let i = 0; i < 100; i++) {
      bus.publish(batchOf(`/${i}`));
      await settle();
    }
    // The stopped worker was given 5,000 characters, then the rest was held for it until 20,000
    // waited, and it was cut off, once; the reading one got all 100 batches.
    const perBatch = JSON.stringify(batchOf("/50")).length;
    expect(perBatch * 100).toBeGreaterThan(20_000 * 1.2);
    expect(stoppedGot).toBe(Math.ceil(5_000 / perBatch));
    expect(overfull).toEqual([stopped]);
    expect(received).toHaveLength(100);
  });

  test("a quiet worker still at work (flooded, not stopped) is held to the hard limit only", async () => {
    const overfull: Channel[] = [];
    const asked: Channel[] = [];
    let now = 0;
    const relay = new IpcRelay({
      inFlightChars: 1,
      maxUnreadChars: 5_000,
      quietMs: 1_000,
      now: () => now,
      stillWorking: (peer) => (asked.push(peer), true),
      onOverfull: (peer) => overfull.push(peer),
    });
    const [primarySide, workerSide] = pipe();
    relay.listen(primarySide);
    relay.attach(primarySide);
    const bus = new IpcBus(workerSide);
    let speak: (message: unknown) => void = () => {};
    const flooded: Channel = { send: () => {}, onMessage: (handler) => void (speak = handler) };
    relay.listen(flooded);
    relay.attach(flooded);
    speak({ type: "ready" });
    now = 1_001;
    const perBatch = JSON.stringify(batchOf("/10")).length;
    for (let i = 0; i < Math.floor((TALKING_FACTOR * 5_000) / perBatch); i++) {
      bus.publish(batchOf(`/${i}`));
      await settle();
    }
    expect(asked).toContain(flooded);
    expect(overfull).toEqual([]);
    for (let i = 0; i < 3; i++) {
      bus.publish(batchOf(`/more${i}`));
      await settle();
    }
    expect(overfull).toEqual([flooded]);
  });

  test("what waits for a slow worker reaches it in the one order, ticks in line", async () => {
    // One batch in flight at a time: everything else waits in the relay for the worker to read.
    const { relay, buses } = cluster(2, { inFlightChars: 1 });
    const streams = buses.map(({ bus, workerSide }) => {
      const stream: string[] = [];
      bus.onBatch((batch) => stream.push(paths([batch])[0]!));
      // Ticks are the control plane's to read (ipc-control.ts): here, straight off the channel.
      workerSide.onMessage((message) => isTickMessage(message) && stream.push(`tick ${message.number}`));
      return stream;
    });
    for (let i = 0; i < 5; i++) {
      buses[i % 2]!.bus.publish(batchOf(`/${i}`));
      buses[i % 2]!.bus.publish(batchOf(`/${i}b`));
      await settle();
      relay.tick({ number: i + 1, time: i, intervalMs: 250 });
    }
    for (let i = 0; i < 20; i++) await settle();
    expect(streams[0]).toHaveLength(15);
    expect(streams[1]).toEqual(streams[0]!);
    expect(streams[0]!.slice(0, 3)).toEqual(["/0", "/0b", "tick 1"]);
  });

  test("a worker whose batches do not come back stops sending past its limit, reports what it drops, and sends again once they do", () => {
    const { channel, sent, batches, receive } = workerChannel();
    const dropped: Batch[] = [];
    const bus = new IpcBus(channel, { maxUnreturnedChars: 2_000, onDropped: (batch) => dropped.push(batch) });
    for (let i = 0; i < 20; i++) bus.publish(batchOf(`/${i}`));
    const perBatch = JSON.stringify(batchOf("/10")).length;
    expect(batches()).toHaveLength(Math.floor(2_000 / perBatch));
    expect(paths(dropped)).toEqual(Array.from({ length: 20 - batches().length }, (_, i) => `/${i + batches().length}`));
    // The primary takes them at last: they come back, and the next batch goes out.
    for (const message of batches()) receive({ ...message, own: true });
    sent.length = 0;
    bus.publish(batchOf("/again"));
    expect(batches().map((message) => paths([JSON.parse(message.events) as Batch])[0])).toEqual(["/again"]);
  });

  test("a worker is congested once half its limit has not come back, and not once it has", () => {
    const { channel, batches, receive } = workerChannel();
    const perBatch = JSON.stringify(batchOf("/10")).length;
    const bus = new IpcBus(channel, { maxUnreturnedChars: 4 * perBatch });
    bus.publish(batchOf("/10"));
    bus.publish(batchOf("/11"));
    expect(bus.congested()).toBe(false);
    bus.publish(batchOf("/12"));
    expect(bus.congested()).toBe(true);
    receive({ ...batches()[0]!, own: true });
    expect(bus.congested()).toBe(false);
    expect(new LocalBus().congested()).toBe(false);
  });

  test("a worker is full once three quarters of its limit have not come back, and not once they have", () => {
    const { channel, batches, receive } = workerChannel();
    const perBatch = JSON.stringify(batchOf("/10")).length;
    const bus = new IpcBus(channel, { maxUnreturnedChars: 8 * perBatch });
    for (let i = 0; i < 6; i++) bus.publish(batchOf(`/1${i}`));
    expect([bus.congested(), bus.full()]).toEqual([true, false]);
    bus.publish(batchOf("/16"));
    expect(bus.full()).toBe(true);
    receive({ ...batches()[0]!, own: true });
    expect(bus.full()).toBe(false);
    expect(new LocalBus().full()).toBe(false);
  });

  test("a worker that still talks is only behind: it is cut off at TALKING_FACTOR times the limit, not before", async () => {
    const overfull: Channel[] = [];
    const relay = new IpcRelay({ inFlightChars: 1, maxUnreadChars: 5_000, onOverfull: (peer) => overfull.push(peer) });
    const [primarySide, workerSide] = pipe();
    relay.listen(primarySide);
    relay.attach(primarySide);
    // It publishes (so it talks) but reads nothing: what it is sent waits.
    const perBatch = JSON.stringify(batchOf("/10")).length;
    for (let i = 0; i < Math.floor((TALKING_FACTOR * 5_000) / perBatch); i++) {
      workerSide.send({ type: "batch", events: JSON.stringify(batchOf(`/${i}`)) } satisfies BatchMessage);
      await settle();
    }
    expect(overfull).toEqual([]);
    for (let i = 0; i < 2; i++) {
      workerSide.send({ type: "batch", events: JSON.stringify(batchOf(`/more${i}`)) } satisfies BatchMessage);
      await settle();
    }
    expect(overfull).toEqual([primarySide]);
  });

  test("a worker still starting (it has said nothing yet) is held to TALKING_FACTOR times the limit, however long it is quiet", async () => {
    const overfull: Channel[] = [];
    let now = 0;
    const relay = new IpcRelay({ inFlightChars: 1, maxUnreadChars: 5_000, now: () => now, onOverfull: (peer) => overfull.push(peer) });
    const [primarySide, workerSide] = pipe();
    relay.listen(primarySide);
    relay.attach(primarySide);
    const bus = new IpcBus(workerSide);
    const starting: Channel = { send: () => {}, onMessage: () => {} };
    relay.listen(starting);
    relay.attach(starting);
    now = 60_000;
    const perBatch = JSON.stringify(batchOf("/10")).length;
    for (let i = 0; i < Math.floor((TALKING_FACTOR * 5_000) / perBatch); i++) {
      bus.publish(batchOf(`/${i}`));
      await settle();
    }
    expect(overfull).toEqual([]);
    for (let i = 0; i < 3; i++) {
      bus.publish(batchOf(`/more${i}`));
      await settle();
    }
    expect(overfull).toEqual([starting]);
  });
});
