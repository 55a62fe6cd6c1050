/**
 * What is particular to the Redis bus (the contract is in test/contracts): entries it cannot read,
 * a batch appended twice, Redis going away and coming back, and the bound on what waits. Against a
 * real redis-server; skipped, saying why, where none is installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import type { Batch } from "../../src/bus/event-bus.ts";
import { entryOf, RedisBus } from "../../src/bus/redis-bus.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const missing = redisServerBinary() ? undefined : REDIS_MISSING;
if (missing) console.warn(`RedisBus tests skipped: ${missing}`);

let redis: RedisProcess;
let buses: RedisBus[] = [];
beforeAll(async () => {
  if (!missing) redis = await startRedis();
});
afterEach(() => {
  for (const bus of buses) bus.close();
  buses = [];
});
afterAll(async () => {
  await redis?.stop();
});

const paths = (batch: Batch) => batch.map((event) => event.path).join(",");

async function node(name: string, stream: string, options: Partial<ConstructorParameters<typeof RedisBus>[0]> = {}) {
  const bus = new RedisBus({ url: redis.url, node: name, stream, ...options });
  buses.push(bus);
  const received: string[] = [];
  bus.onBatch((batch) => received.push(paths(batch)));
  await bus.ready;
  return { bus, received };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await Bun.sleep(10);
  }
}

describe("an entry", () => {
  test("names its node, its sequence and its batch, or says what it lacks", () => {
    expect(entryOf(["n", "a", "s", "3", "b", "[]"])).toEqual({ node: "a", sequence: 3, events: "[]" });
    expect(entryOf(["s", "3", "b", "[]"])).toEqual({ error: "an entry without its node" });
    expect(entryOf(["n", "a", "s", "-1", "b", "[]"])).toEqual({ error: "an entry without a sequence number" });
    expect(entryOf(["n", "a", "s", "1"])).toEqual({ error: "an entry without a batch" });
    expect(entryOf("garbage")).toEqual({ error: "an entry without fields" });
  });
});

describe.skipIf(missing !== undefined)("RedisBus against a real redis-server", () => {
  test("entries it cannot read are skipped and counted; what follows arrives", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const foreign: string[] = [];
    const a = await node("a", stream, { onForeign: (why) => foreign.push(why) });
    const raw = new RedisClient(redis.url);
    await raw.send("XADD", [stream, "*", "hello", "world"]);
    await raw.send("XADD", [stream, "*", "n", "x", "s", "1", "b", "{not json"]);
    await raw.send("XADD", [stream, "*", "n", "x", "s", "2", "b", '{"an":"object"}']);
    await raw.send("XADD", [stream, "*", "n", "x", "s", "3", "b", "[1, 2]"]);
    // Whole JSON, but an event a node would trip over: refused before any handler sees it.
    await raw.send("XADD", [stream, "*", "n", "x", "s", "4", "b", JSON.stringify([{ ...storedEvent({ path: "/bad" }), props: { plan: 3 } }])]);
    raw.close();
    a.bus.publish([storedEvent({ path: "/after" })]);
    await until(() => a.received.length === 1);
    expect(a.received).toEqual(["/after"]);
    expect(a.bus.foreign).toBe(5);
    expect(foreign).toEqual([
      "an entry without its node",
      "a batch that is not JSON",
      "a batch that is not an array of events",
      "a batch with a malformed event: an event must be an object",
      "a batch with a malformed event: an event's prop plan must be a string",
    ]);
  });

  test("a batch appended twice (its first reply lost) is applied once", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const a = await node("a", stream);
    const raw = new RedisClient(redis.url);
    const entry = ["n", "b", "s", "1", "b", JSON.stringify([storedEvent({ path: "/once" })])];
    await raw.send("XADD", [stream, "*", ...entry]);
    await raw.send("XADD", [stream, "*", ...entry]);
    await raw.send("XADD", [stream, "*", "n", "b", "s", "2", "b", JSON.stringify([storedEvent({ path: "/next" })])]);
    raw.close();
    await until(() => a.received.length === 2);
    await Bun.sleep(50);
    expect(a.received).toEqual(["/once", "/next"]);
  });

  test("batches of a node that never arrived (trimmed before they were read) are counted and told, never silent", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const gaps: Array<[string, number]> = [];
    const a = await node("a", stream, { onGap: (name, missed) => gaps.push([name, missed]) });
    const raw = new RedisClient(redis.url);
    const add = (sequence: number) => raw.send("XADD", [stream, "*", "n", "c", "s", String(sequence), "b", JSON.stringify([storedEvent({ path: `/${sequence}` })])]);
    // Node c had published before a joined: its first batch here may have any number.
    for (const sequence of [7, 8, 11, 12]) await add(sequence);
    raw.close();
    await until(() => a.received.length === 4);
    expect(a.received).toEqual(["/7", "/8", "/11", "/12"]);
    expect(gaps).toEqual([["c", 2]]);
    expect(a.bus.missed).toBe(2);
  });

  test("while Redis is away, batches wait in order and go out when it is back; the nodes read on", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const a = await node("a", stream);
    const b = await node("b", stream);
    a.bus.publish([storedEvent({ path: "/before" })]);
    await until(() => b.received.length === 1);
    await redis.kill();
    for (const path of ["/during-1", "/during-2", "/during-3"]) a.bus.publish([storedEvent({ path })]);
    await Bun.sleep(300);
    await redis.restart();
    await until(() => b.received.length === 4, 20_000);
    expect(b.received).toEqual(["/before", "/during-1", "/during-2", "/during-3"]);
    await until(() => a.received.length === 4);
    expect(a.received).toEqual(b.received);
    expect(a.bus.congested()).toBe(false);
  }, 30_000);

  test("past the bound of what has not come back, a batch is dropped and reported, never queued without end", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const dropped: Batch[] = [];
    const a = await node("a", stream, { maxUnreturnedChars: 2_000, onDropped: (batch) => dropped.push(batch) });
    await redis.kill();
    const batch = [storedEvent({ path: "/x" })];
    const size = JSON.stringify(batch).length;
    for (let i = 0; i < 10; i++) a.bus.publish(batch);
    const kept = Math.max(1, Math.floor(2_000 / size));
    expect(dropped).toHaveLength(10 - kept);
    expect(a.bus.congested()).toBe(kept * size > 1_000);
    expect(a.bus.full()).toBe(kept * size > 1_500);
    await redis.restart();
    await until(() => a.received.length === kept, 20_000);
    expect(a.bus.congested()).toBe(false);
    expect(a.bus.full()).toBe(false);
  }, 30_000);
});
