/**
 * The Bun binary's composition root: the one place that picks the implementations (store, bus,
 * control plane, transport) the binary runs with and wires a Pulse from them (src/compose.ts). A
 * single process and a worker of `--workers` run the same composition; they differ only in the
 * resources they pass (singleProcessResources, workerResources). Node.js's is src/node-main.ts.
 */
import { LocalBus } from "./bus/local-bus.ts";
import { RedisBus, redisAddress, streamBatches } from "./bus/redis-bus.ts";
import { RedisClient } from "bun";
import { RedisControl } from "./control/redis-control.ts";
import { hostname } from "node:os";
import type { Config } from "./config.ts";
import { LocalControl } from "./control/local-control.ts";
import type { AcceptedEvent } from "./core/ingest/accepted-event.ts";
import type { DailySalts } from "./core/ingest/visitor-id.ts";
import { Metrics } from "./core/metrics.ts";
import { replayedHistory } from "./core/presence/presence-events.ts";
import type { PresenceSignal } from "./core/presence/presence-counts.ts";
import { ACTIVE_MS } from "./core/stats/active-visitors.ts";
import { BunTransport } from "./server/bun-server.ts";
import type { Asset } from "./server/static-assets.ts";
import type { EventStore } from "./storage/event-store.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { WriteBuffer } from "./storage/write-buffer.ts";
import { PostgresStore } from "./storage/postgres-store.ts";
import type { WorkerResources } from "./cluster/worker.ts";
import { SpoolWriter } from "./storage/spool-writer.ts";
import { StreamArchiver } from "./storage/stream-archiver.ts";
import { localResources, startServer, workerResources, type PulseResources, type RunningServer, type SingleProcessBase } from "./compose.ts";

export { composePulse, startServer, type EventWriter, type Pulse, type PulseResources, type RunningServer, type SingleProcessBase } from "./compose.ts";

/**
 * A worker of a node joined by Redis rebuilds from the exchange's stream, through the entry its
 * primary named: every later batch comes from the primary. Its own connection, for this read only.
 */
export async function workerHistory(config: Config, through: { stream: string; through: string }): Promise<{ events: AcceptedEvent[]; presence: PresenceSignal[] }> {
  if (config.redis === null) throw new Error("a worker told to rebuild from Redis was given no --redis");
  const client = new RedisClient(config.redis, { autoReconnect: false });
  try {
    await client.connect();
    const batches = await streamBatches(client, through.stream, Date.now() - ACTIVE_MS, through.through, () => {});
    return replayedHistory(batches, Date.now());
  } finally {
    client.close();
  }
}

/** How long a node waits for Redis at start before it gives up with the reason. */
export const REDIS_START_TIMEOUT_MS = 10_000;

/** Where a node keeps events: SQLite in its data directory, or the PostgreSQL nodes share (`--database`). */
export type NodeStorage = { store: EventStore } | { shared: PostgresStore };

/** What every kind of node starts from besides its storage. */
export interface NodeBase {
  files: Readonly<Record<string, Asset>>;
  token: string;
  openFiles?: number | null;
}

/**
 * A node of several joined by Redis (`--redis`): the exchange and the pace are Redis's (RedisBus,
 * RedisControl), the salts are shared there, and the node rebuilds from the stream's recent
 * history. With SQLite it stores every event it applies in its own file; with PostgreSQL one node
 * at a time stores each event once for all (StreamArchiver). Rejects, naming Redis's address
 * (never its credentials), when Redis does not answer at start.
 */
export async function redisNodeResources(config: Config & { redis: string }, base: NodeBase, storage: NodeStorage): Promise<PulseResources & { archiver?: StreamArchiver }> {
  const metrics = new Metrics();
  const { node, bus, control } = await joinRedis(config, metrics, "store" in storage ? storage.store.lastPosition() : 0);
  const common = { ...base, metrics, bus, control, transport: new BunTransport() };
  if ("store" in storage) return { ...common, store: storage.store, writer: new WriteBuffer(storage.store, metrics) };
  const archiver = new StreamArchiver({ url: config.redis, stream: bus.key, node, store: storage.shared, metrics, intervalMs: config.tickMs });
  return { ...common, store: storage.shared.reader(), archiver };
}

/**
 * This node's place among the nodes sharing Redis: its id, the exchange (RedisBus) and the pace
 * (RedisControl), ready, with the history read. `metrics` counts what the exchange skips and loses.
 */
export async function joinRedis(
  config: Config & { redis: string },
  metrics: Metrics,
  storePosition: number,
  counts?: { residentBytes: () => number; processes: () => number },
): Promise<{ node: string; bus: RedisBus; control: RedisControl }> {
  const node = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const log = rateLimitedLog(60_000);
  const bus = new RedisBus({
    url: config.redis,
    node,
    onDropped: (batch) => {
      metrics.eventsLost += batch.length;
      log("dropped", "Redis has not taken this node's events for too long: events it accepts now are lost (pulse_events_lost_total)");
    },
    onForeign: (why) => {
      metrics.exchangeSkipped++;
      log("foreign", `skipped an entry on the exchange: ${why} (pulse_exchange_skipped_total)`);
    },
    onGap: (from, missed) => {
      metrics.exchangeMissed += missed;
      log("gap", `${missed} batches of node ${from} never reached this node: its figures may differ until it restarts`);
    },
  });
  const where = redisAddress(config.redis);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cannot reach Redis at ${where} (waited ${REDIS_START_TIMEOUT_MS / 1000} s)`)), REDIS_START_TIMEOUT_MS).unref?.());
  try {
    await Promise.race([bus.ready, timeout]);
    const control = await Promise.race([RedisControl.open({ url: config.redis, node, tickMs: config.tickMs, bus, storePosition, ...counts }), timeout]);
    return { node, bus, control };
  } catch (error) {
    bus.close();
    throw error;
  }
}

/** A node joined by Redis, started as `pulse serve --redis` starts it (the caller prunes its store). */
export async function startRedisNode(config: Config & { redis: string }, base: NodeBase, storage: NodeStorage): Promise<RunningServer> {
  const { archiver, ...resources } = await redisNodeResources(config, base, storage);
  const server = startServer(config, resources);
  archiver?.start();
  return {
    ...server,
    async stop() {
      // What it has not stored yet waits in the stream for the next node that stores.
      await archiver?.stop();
      await server.stop();
    },
  };
}

/**
 * A single process keeping its events in PostgreSQL (`--database` without `--redis`): its own pace
 * and bus, as with SQLite; the history is read before it starts, and accepted events wait in a
 * bounded spool while the database is away (SpoolWriter). The caller prunes the store.
 */
export async function startPostgresNode(config: Config, base: NodeBase & { salts: DailySalts }, shared: PostgresStore): Promise<RunningServer> {
  const metrics = new Metrics();
  const history = await shared.since(Date.now() - ACTIVE_MS);
  return startServer(config, {
    ...base,
    metrics,
    store: shared.reader(),
    bus: new LocalBus(),
    control: new LocalControl({ tickMs: config.tickMs, salts: base.salts, storePosition: 0, history }),
    transport: new BunTransport(),
    writer: new SpoolWriter(shared, metrics, console.error, { describe: (error) => shared.describe(error) }),
  });
}

/** Logs each kind of line at most once per `intervalMs`: a flood of bad entries must not flood the log. */
function rateLimitedLog(intervalMs: number): (kind: string, line: string) => void {
  const saidAt = new Map<string, number>();
  return (kind, line) => {
    const now = Date.now();
    if (now - (saidAt.get(kind) ?? -Infinity) < intervalMs) return;
    saidAt.set(kind, now);
    console.error(`pulse: ${line}`);
  };
}

/** A single process is the whole server: its own bus, its own pace, its own storage, Bun.serve. */
export function singleProcessResources(config: Config, base: SingleProcessBase): PulseResources {
  return localResources(config, base, new BunTransport());
}

/** A single process, started as `pulse serve` starts it (the caller prunes the store: see startRetention). */
export function startSingleProcess(config: Config, base: SingleProcessBase): RunningServer {
  return startServer(config, singleProcessResources(config, base));
}

/**
 * A worker of `--workers` in the binary: the bus and the control plane are the primary's, over the
 * IPC channel; the primary stores the events, so a worker only reads the store. A worker of a node
 * joined by Redis first rebuilds from the exchange's stream (meanwhile the bus keeps what
 * arrives), and reads the shared database for exports when the nodes have one.
 */
export const bunWorkerResources: WorkerResources = async (config, start, channel, bus, base) => {
  const history = start.history ? await workerHistory(config, start.history) : undefined;
  const shared = start.history && config.database !== null ? await PostgresStore.open(config.database) : undefined;
  return workerResources(config, start, channel, bus, base, new BunTransport(), { store: shared ? shared.reader() : openSqliteStore(start.eventsPath), ...(history ? { history } : {}) });
};
