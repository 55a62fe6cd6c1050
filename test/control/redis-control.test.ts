/**
 * What is particular to RedisControl (the contract is in test/contracts): a Redis restarted empty
 * neither sends the ticks back to 1 nor leaves a node that starts then with salts of its own.
 * Against a real redis-server; skipped, saying why, where none is installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { RedisBus } from "../../src/bus/redis-bus.ts";
import { RedisControl } from "../../src/control/redis-control.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { BusNode } from "../contracts/control-clusters.ts";
import { until } from "../helpers/until.ts";

const missing = redisServerBinary() ? undefined : REDIS_MISSING;
if (missing) console.warn(`RedisControl tests skipped: ${missing}`);

let redis: RedisProcess;
const stops: Array<() => void> = [];
beforeAll(async () => {
  if (!missing) redis = await startRedis();
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});
afterAll(async () => {
  await redis?.stop();
});

async function node(name: string, stream: string) {
  const bus = new RedisBus({ url: redis.url, node: name, stream });
  await bus.ready;
  const control = await RedisControl.open({ url: redis.url, node: name, tickMs: 20, bus, storePosition: 0, saltCheckMs: 50, log: () => {} });
  const ticking = new BusNode(bus);
  control.start(ticking);
  stops.push(() => {
    control.stop();
    bus.close();
  });
  return { control, ticking };
}


describe.skipIf(missing !== undefined)("RedisControl against a real redis-server", () => {
  test("Redis restarted empty: the ticks go on after the last one, and the salts are back for a node that starts then", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const a = await node("a", stream);
    await until("some ticks", () => a.ticking.steps.length >= 5);
    const before = a.ticking.steps.at(-1)!.tick.number;
    await redis.kill();
    await Bun.sleep(200);
    await redis.restart();
    await until("ticks again", () => a.ticking.steps.length > 0 && a.ticking.steps.at(-1)!.tick.number > before + 3);
    const numbers = a.ticking.steps.map((step) => step.tick.number);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    expect(new Set(numbers).size).toBe(numbers.length);
    // Numbered on from the last tick the keeper saw, not from 1: no node ignores a run of ticks.
    const raw = new RedisClient(redis.url);
    const entries = (await raw.send("XRANGE", [stream, "-", "+"])) as Array<[string, string[]]>;
    const appended = entries.filter(([, fields]) => fields[1] === "tick").map(([, fields]) => Number(fields[fields.indexOf("number") + 1]));
    expect(appended.length).toBeGreaterThan(0);
    expect(Math.min(...appended)).toBeGreaterThan(before);
    // The salts are offered again, so a node starting now takes the same.
    await until("the salts back in Redis", async () => (await raw.send("GET", [`${stream}:salts`])) !== null);
    raw.close();
    const b = await node("b", stream);
    expect(b.control.salts.state()).toEqual(a.control.salts.state());
  }, 30_000);

  test("what is not salts or figures, in Redis or on the stream, is left out: the node starts, shares good salts, and adds up good figures", async () => {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const raw = new RedisClient(redis.url);
    await raw.send("SET", [`${stream}:salts`, "{not json"]);
    await raw.send("HSET", [`${stream}:figures`, "intruder", '{"at": 1e15, "snapshot": {"eventsAccepted": "lots"}, "residentBytes": 1}']);
    const a = await node("a", stream);
    // Its own salts replaced what could not be read.
    const kept = JSON.parse(String(await raw.send("GET", [`${stream}:salts`])));
    expect(kept).toEqual(a.control.salts.state());
    await raw.send("XADD", [stream, "*", "k", "salts", "state", '{"day": 99999999, "current": "x"}']);
    await raw.send("XADD", [stream, "*", "k", "tick", "number", "not a number"]);
    const b = await node("b", stream);
    await until("both nodes' figures", () => a.control.clusterFigures()?.processes === 2);
    expect(a.control.clusterFigures()!.metrics.eventsAccepted).toBe(0);
    expect(b.control.salts.state()).toEqual(a.control.salts.state());
    // Ticks go on after the tick that was none.
    const steps = a.ticking.steps.length;
    await until("more ticks", () => a.ticking.steps.length > steps + 3);
    raw.close();
  }, 20_000);
});
