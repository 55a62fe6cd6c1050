/**
 * Three `pulse serve --redis` nodes sharing a real redis-server, as behind a load balancer without
 * sticky sessions: an event taken by one node reaches dashboards on the others within a tick (plus
 * 50 ms), every node shows the same figures, a node killed outright loses nothing another node
 * accepted, the pace survives it, a node that joins late rebuilds the last 30 minutes, and Redis
 * restarting loses nothing. Run twice: each node storing events in its own SQLite file, and all of
 * them sharing one real PostgreSQL (`--database`), where each event is stored once and the
 * database may stop for 10 s. Skipped, saying why, where a server is not installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import type { ServerFrame, Stats } from "../../src/core/wire/protocol.ts";
import { metric, sendEvent } from "../helpers/cluster-client.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { POSTGRES_MISSING, postgresBinaries, startPostgres, type PostgresProcess } from "../helpers/postgres-server.ts";
import { SQL } from "bun";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { until } from "../helpers/until.ts";

const TICK_MS = 100;
const SITE = "nodes.test";
const TOKEN = "nodes-test-token-0123456789";
const redisMissing = redisServerBinary() ? undefined : REDIS_MISSING;
const postgresMissing = postgresBinaries() ? undefined : POSTGRES_MISSING;
if (redisMissing) console.warn(`Redis nodes tests skipped: ${redisMissing}`);
else if (postgresMissing) console.warn(`Redis nodes sharing PostgreSQL skipped: ${postgresMissing}`);

const STORAGES = [
  { name: "each node storing in its own SQLite file", shared: false, workers: 1, missing: redisMissing },
  { name: "all sharing one PostgreSQL", shared: true, workers: 1, missing: redisMissing ?? postgresMissing },
  // A primary speaks to Redis for its workers, which exchange with it locally.
  { name: "each a primary and two workers, all sharing one PostgreSQL", shared: true, workers: 2, missing: redisMissing ?? postgresMissing },
];

const withPath = (path: string) => (frame: ServerFrame) => frame.type === "tick" && frame.feed.some((item) => item.p === path);

async function realtime(node: ServerProcess): Promise<Stats> {
  const response = await fetch(`${node.url}api/realtime?site=${SITE}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { stats: Stats }).stats;
}

/** What every node must agree on: the counts, lists and feed, not the moment each was read at. */
function figures(stats: Stats): unknown {
  const { perSecond: _perSecond, perMinute, ...rest } = stats as Stats & { perSecond: unknown; perMinute: { counts: number[] } };
  return { ...rest, pageviewsPerMinute: perMinute.counts.reduce((total, count) => total + count, 0) };
}

async function metrics(node: ServerProcess): Promise<string> {
  return (await fetch(`${node.url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
}


for (const storage of STORAGES) {
describe.skipIf(storage.missing !== undefined)(`three nodes joined by Redis, ${storage.name}`, () => {
  let redis: RedisProcess;
  let postgres: PostgresProcess | undefined;
  const nodes: ServerProcess[] = [];
  const startNode = () =>
    startServer({
      args: ["--redis", redis.url, "--token", TOKEN, "--tick-ms", String(TICK_MS), "--workers", String(storage.workers), ...(postgres ? ["--database", postgres.url] : [])],
      timeoutMs: 20_000,
    });

  // Credentials in both URLs, which nothing the nodes print or serve may show.
  const SECRET = `s3cret-${crypto.randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    redis = await startRedis(10_000, SECRET);
    if (storage.shared) postgres = await startPostgres(30_000, SECRET);
    for (let i = 0; i < 3; i++) nodes.push(await startNode());
  }, 60_000);
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
    await postgres?.stop();
  });

  /** The events stored of the site, as many times as they are: in the database, or in each node's file. */
  async function stored(path: string, node = nodes[0]!): Promise<number> {
    if (postgres) {
      const sql = new SQL(postgres.url, { max: 1 });
      const [row] = await sql`SELECT count(*)::int AS count FROM pulse_events WHERE event LIKE ${`%"${path}%`}`;
      await sql.close();
      return (row as { count: number }).count;
    }
    const csv = await (await fetch(`${node.url}api/export?site=${SITE}`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    return csv.split("\n").filter((line) => line.includes(path)).length;
  }

  test("an event taken at node C reaches a dashboard on node A within a tick plus 50 ms", async () => {
    const [a, , c] = nodes;
    const dashboard = await a!.dashboard(SITE);
    await dashboard.waitFor((frame) => frame.type === "snapshot");
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const path = `/latency-${i}`;
      const sent = performance.now();
      expect((await sendEvent(c!, SITE, path, i)).status).toBe(202);
      await dashboard.waitFor(withPath(path), 5_000);
      latencies.push(performance.now() - sent);
      // A tick and a half apart, so the ten land at different moments of the tick.
      await Bun.sleep(TICK_MS * 1.37);
    }
    dashboard.socket.close();
    latencies.sort((x, y) => x - y);
    console.log(`latency from ingest at C to a frame at A: ${latencies.map((ms) => ms.toFixed(0)).join(", ")} ms`);
    // The median and the worst but one: a shared machine may stall one of ten.
    expect(latencies[5]!).toBeLessThan(TICK_MS + 50);
    expect(latencies[8]!).toBeLessThan(TICK_MS + 50);
  });

  test("every node shows the same figures, whichever node took the events; each event counted once", async () => {
    for (let i = 0; i < 30; i++) expect((await sendEvent(nodes[i % 3]!, SITE, `/same-${i % 7}`, 100 + i)).status).toBe(202);
    await Bun.sleep(4 * TICK_MS);
    const [first, ...others] = await Promise.all(nodes.map(realtime));
    for (const stats of others) expect(figures(stats)).toEqual(figures(first!));
    expect(first!.pages.some(([page]) => page === "/same-0")).toBe(true);
    // /metrics at any node adds up every node's figures: 40 accepted so far, counted once.
    await until("every node's figures", async () => metric(await metrics(nodes[1]!), "pulse_events_accepted_total") === 40);
    await until("the events stored", async () => (await stored("/same-")) === 30);
    // A node of workers is its primary and them.
    expect(metric(await metrics(nodes[1]!), "pulse_processes")).toBe(3 * (storage.workers === 1 ? 1 : storage.workers + 1));
  }, 20_000);

  test("the node keeping the pace killed outright: ticks go on, nothing the others accepted is lost, its dashboards find the same figures elsewhere", async () => {
    // The lease names its holder, whose id starts with its host name and pid.
    const raw = new RedisClient(redis.url);
    const holder = String(await raw.send("GET", ["pulse:exchange:pace"]));
    raw.close();
    const keeper = nodes.findIndex((node) => holder.split(":")[1] === String(node.child.pid));
    expect(keeper).toBeGreaterThanOrEqual(0);
    const [victim] = nodes.splice(keeper, 1);
    const [a, b] = nodes;
    const onA = await a!.dashboard(SITE);
    await onA.waitFor((frame) => frame.type === "snapshot");
    victim!.child.kill("SIGKILL");
    await victim!.child.exited;
    for (let i = 0; i < 10; i++) expect((await sendEvent(i % 2 === 0 ? a! : b!, SITE, `/after-kill-${i}`, 200 + i)).status).toBe(202);
    // The lease runs out within 2 s; another node takes it and the frames carry on.
    await onA.waitFor(withPath("/after-kill-9"), 5_000);
    const [onAStats, onBStats] = await Promise.all([realtime(a!), realtime(b!)]);
    expect(onAStats.pageviews).toBe(50);
    await until("the events stored", async () => (await stored("/after-kill-")) === 10);
    expect(figures(onBStats)).toEqual(figures(onAStats));
    // A dashboard that was on the dead node reconnects to another and gets the same snapshot.
    const onB = await b!.dashboard(SITE);
    const snapshot = await onB.waitFor((frame) => frame.type === "snapshot");
    expect(snapshot.type === "snapshot" && figures(snapshot.stats)).toEqual(figures(await realtime(a!)));
    onA.socket.close();
    onB.socket.close();
    await victim!.stop();
  }, 20_000);

  test("a node that joins late rebuilds the last 30 minutes, then shows the same figures as the others", async () => {
    const late = await startNode();
    nodes.push(late);
    expect(late.output()).toMatch(/Restored:\s+50 events/);
    // From its first tick, which counts the tabs present it was given.
    const same = async () => JSON.stringify(figures(await realtime(late))) === JSON.stringify(figures(await realtime(nodes[0]!)));
    await until("the late node's figures to be the others'", same, 3_000);
    expect((await sendEvent(late, SITE, "/from-the-late-node", 999)).status).toBe(202);
    await Bun.sleep(4 * TICK_MS);
    const all = await Promise.all(nodes.map(realtime));
    for (const stats of all) expect(figures(stats)).toEqual(figures(all[0]!));
    expect(all[0]!.pageviews).toBe(51);
  }, 30_000);

  test("nothing the nodes print or serve shows a credential; an entry on the exchange that is no batch is skipped and counted, and the node goes on", async () => {
    const raw = new RedisClient(redis.url);
    await raw.send("XADD", ["pulse:exchange", "*", "n", "intruder", "s", "1", "b", "{not json"]);
    await raw.send("XADD", ["pulse:exchange", "*", "hello", "world"]);
    raw.close();
    await until("the entries counted", async () => metric(await metrics(nodes[0]!), "pulse_exchange_skipped_total") === 2 * nodes.length);
    expect((await sendEvent(nodes[1]!, SITE, "/after-intruder", 500)).status).toBe(202);
    await until("the event after them shown", async () => (await realtime(nodes[0]!)).pageviews === 52);
    for (const node of nodes) {
      expect(node.output()).not.toContain(SECRET);
      expect(node.output()).toContain("skipped an entry on the exchange");
      expect(await metrics(node)).not.toContain(SECRET);
    }
  });

  test("Redis restarted: the nodes keep their dashboards and take events; what they took meanwhile is exchanged and stored when it returns", async () => {
    const [a, b] = nodes;
    const onA = await a!.dashboard(SITE);
    await onA.waitFor((frame) => frame.type === "snapshot");
    const before = (await realtime(a!)).pageviews!;
    await redis.kill();
    for (let i = 0; i < 6; i++) expect((await sendEvent(b!, SITE, `/outage-${i}`, 300 + i)).status).toBe(202);
    expect((await fetch(`${a!.url}api/realtime?site=${SITE}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await Bun.sleep(500);
    await redis.restart();
    await onA.waitFor(withPath("/outage-5"), 15_000);
    expect(onA.socket.readyState).toBe(WebSocket.OPEN);
    await until("every node's figures with the outage's events", async () => (await Promise.all(nodes.map(realtime))).every((stats) => stats.pageviews === before + 6));
    // Stored: once in the shared database, or by every node in its own file.
    for (const node of nodes) await until("the outage's events stored", async () => (await stored("/outage-", node)) === 6);
    expect(metric(await metrics(a!), "pulse_events_lost_total")).toBe(0);
    onA.socket.close();
  }, 30_000);

  test.skipIf(!storage.shared)("PostgreSQL stopped for 10 s: the nodes go on showing events, and store each once when it returns", async () => {
    const [a, b] = nodes;
    const onA = await a!.dashboard(SITE);
    await onA.waitFor((frame) => frame.type === "snapshot");
    await postgres!.pause();
    for (let i = 0; i < 8; i++) expect((await sendEvent(i % 2 === 0 ? a! : b!, SITE, `/db-away-${i}`, 400 + i)).status).toBe(202);
    // Live figures do not wait for the database.
    await onA.waitFor(withPath("/db-away-7"), 5_000);
    // The node storing says so: /metrics counts the failed writes.
    await until("a failed write counted", async () => metric(await metrics(a!), "pulse_storage_errors_total") > 0, 5_000);
    await Bun.sleep(10_000);
    await postgres!.restart();
    await until("the events stored once", async () => (await stored("/db-away-")) === 8, 15_000);
    await Bun.sleep(3 * TICK_MS);
    expect(await stored("/db-away-")).toBe(8);
    expect(metric(await metrics(a!), "pulse_events_lost_total")).toBe(0);
    onA.socket.close();
  }, 40_000);
});
}
