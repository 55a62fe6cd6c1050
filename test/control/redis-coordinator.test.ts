/**
 * The primary of a node of workers joined by Redis (RedisCoordinator), with two workers on
 * in-memory pipes and a real redis-server: what the workers accept goes out as one batch per send,
 * comes back in the stream's order to both, each told which events are its own, and every tick
 * reaches both in line with the batches. Skipped, saying why, where redis-server is not installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { IpcBus, isTickMessage } from "../../src/bus/ipc-bus.ts";
import { IpcRelay } from "../../src/bus/ipc-relay.ts";
import { RedisBus } from "../../src/bus/redis-bus.ts";
import { isStartMessage } from "../../src/cluster/messages.ts";
import { RedisControl } from "../../src/control/redis-control.ts";
import { RedisCoordinator } from "../../src/control/redis-coordinator.ts";
import { pipe } from "../helpers/pipe.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { until } from "../helpers/until.ts";

const missing = redisServerBinary() ? undefined : REDIS_MISSING;
if (missing) console.warn(`RedisCoordinator tests skipped: ${missing}`);

let redis: RedisProcess;
const closing: Array<() => Promise<void> | void> = [];
beforeAll(async () => {
  if (!missing) redis = await startRedis();
});
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});
afterAll(async () => {
  await redis?.stop();
});

interface Worker {
  bus: IpcBus;
  /** What it received, in order: a batch's paths (`*` marking its own) or a tick's number. */
  received: string[];
}

describe.skipIf(missing !== undefined)("RedisCoordinator against a real redis-server", () => {
  test("two workers' events go out together, come back to both in one order each told its own, ticks in line", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const bus = new RedisBus({ url: redis.url, node: "node-a", stream });
    await bus.ready;
    const control = await RedisControl.open({ url: redis.url, node: "node-a", tickMs: 50, bus, storePosition: 0, log: () => {} });
    const relay = new IpcRelay({ forward: false });
    const coordinator = new RedisCoordinator({ bus, control, relay, retentionDays: 30, log: () => {} });
    closing.push(() => coordinator.close());
    const workers: Worker[] = [];
    for (const id of [0, 1]) {
      const { ends } = pipe();
      const [primarySide, workerSide] = ends;
      const worker: Worker = { bus: new IpcBus(workerSide), received: [] };
      worker.bus.onBatch((batch, own) => worker.received.push(batch.map((event) => event.path).join(",") + (own ? "*" : "")));
      workerSide.onMessage((message) => {
        if (isStartMessage(message)) {
          expect(message.history?.stream).toBe(stream);
          workerSide.send({ type: "ready", port: 0, pid: 0, restored: 0 });
        } else if (isTickMessage(message)) {
          worker.received.push(`tick`);
          workerSide.send({ type: "ticked", tick: message.number, workMs: 0 });
        }
      });
      await coordinator.join(id, primarySide, { argv: [], port: 0, token: "", eventsPath: "" });
      workers.push(worker);
    }
    workers[0]!.bus.publish([storedEvent({ path: "/a1" }), storedEvent({ path: "/a2" })]);
    workers[1]!.bus.publish([storedEvent({ path: "/b1" })]);
    await until("both batches back at both workers", () => workers.every((worker) => worker.received.some((item) => item.startsWith("/b1"))));
    const batches = (worker: Worker) => worker.received.filter((item) => item !== "tick");
    expect(batches(workers[0]!)).toEqual(["/a1,/a2*", "/b1"]);
    expect(batches(workers[1]!)).toEqual(["/a1,/a2", "/b1*"]);
    // Crossed the network as one entry of this node's.
    const raw = new RedisClient(redis.url);
    const entries = (await raw.send("XRANGE", [stream, "-", "+"])) as Array<[string, string[]]>;
    raw.close();
    const published = entries.filter(([, fields]) => fields[0] === "n");
    expect(published).toHaveLength(1);
    // Every tick reached both workers at the same place among the batches.
    // From the first batch on: a worker that joined first may have had a tick before the other joined.
    const withTicks = (worker: Worker) => worker.received.slice(worker.received.findIndex((item) => item.startsWith("/a1"))).map((item) => item.replace("*", ""));
    await until("a few ticks", () => workers.every((worker) => worker.received.filter((item) => item === "tick").length >= 3));
    const [first, second] = workers.map(withTicks);
    const shortest = Math.min(first!.length, second!.length);
    expect(first!.slice(0, shortest)).toEqual(second!.slice(0, shortest));
  }, 20_000);

  test("a worker that stops answering is not waited for, and is told hung once it has been silent for seconds", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const bus = new RedisBus({ url: redis.url, node: "node-b", stream });
    await bus.ready;
    const control = await RedisControl.open({ url: redis.url, node: "node-b", tickMs: 50, bus, storePosition: 0, log: () => {} });
    const hung: number[] = [];
    const coordinator = new RedisCoordinator({ bus, control, relay: new IpcRelay({ forward: false }), retentionDays: 30, onHung: (id) => hung.push(id), log: () => {} });
    closing.push(() => coordinator.close());
    let answering = true;
    const ticks: number[] = [];
    for (const id of [0, 1]) {
      const [primarySide, workerSide] = pipe().ends;
      workerSide.onMessage((message) => {
        if (isStartMessage(message)) workerSide.send({ type: "ready", port: 0, pid: 0, restored: 0 });
        else if (isTickMessage(message)) {
          if (id === 0) ticks.push(message.number);
          if (id === 0 || answering) workerSide.send({ type: "ticked", tick: message.number, workMs: 0 });
        }
      });
      await coordinator.join(id, primarySide, { argv: [], port: 0, token: "", eventsPath: "" });
    }
    await until("ticks", () => ticks.length >= 3);
    answering = false;
    const silentFrom = ticks.length;
    await until("worker 1 told hung", () => hung.length > 0, 8_000);
    expect(hung).toEqual([1]);
    // Meanwhile the pace went on: a tick waited at most once for the silent worker.
    expect(ticks.length - silentFrom).toBeGreaterThan(10);
  }, 20_000);
});
