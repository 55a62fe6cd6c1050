/**
 * The composition root: the one place that picks the implementations (store, bus, control plane,
 * transport) and wires a Pulse from them. A single process and a worker of `--workers` run the
 * same composition; they differ only in the resources they pass (singleProcessResources,
 * workerResources). Tests compose the same way, with a transport that records frames and a
 * control plane they tick by hand, so what the tests exercise is what runs.
 */
import type { Batch, EventBus } from "./bus/event-bus.ts";
import { IpcBus, type Channel } from "./bus/ipc-bus.ts";
import { LocalBus } from "./bus/local-bus.ts";
import { RedisBus, redisAddress, streamBatches } from "./bus/redis-bus.ts";
import { RedisClient } from "bun";
import { RedisControl } from "./control/redis-control.ts";
import { hostname } from "node:os";
import type { StartMessage } from "./cluster/messages.ts";
import { liveSiteCap, type Config } from "./config.ts";
import type { ControlPlane, TickingNode } from "./control/control-plane.ts";
import { IpcControl } from "./control/ipc-control.ts";
import { LocalControl } from "./control/local-control.ts";
import { Dashboards } from "./core/fanout/dashboards.ts";
import { FanOut } from "./core/fanout/fan-out.ts";
import { LoopTurns } from "./core/fanout/loop-turns.ts";
import { admissionLimits, SocketAdmission, type OpenSockets } from "./core/fanout/socket-admission.ts";
import { LiveWidgets } from "./core/presence/live-widgets.ts";
import type { AcceptedEvent } from "./core/ingest/accepted-event.ts";
import { Ingestor } from "./core/ingest/ingest.ts";
import { RateLimiter } from "./core/ingest/rate-limiter.ts";
import { DailySalts } from "./core/ingest/visitor-id.ts";
import { Metrics } from "./core/metrics.ts";
import { applyPresence, presenceEvent, replayedHistory } from "./core/presence/presence-events.ts";
import { PRESENCE_TTL_MS } from "./core/presence/presence-timing.ts";
import type { PresenceSignal } from "./core/presence/presence-counts.ts";
import { ACTIVE_MS } from "./core/stats/active-visitors.ts";
import { DEFAULT_HUB_LIMITS, HIT_LOG_SHARE, Hub, type Publication } from "./core/stats/hub.ts";
import { TopicShards } from "./core/fanout/topic-shards.ts";
import { hitOf } from "./core/stats/site-stats.ts";
import { visitorMemory } from "./core/stats/visitor-budget.ts";
import { CloseCode } from "./core/wire/protocol.ts";
import { openGeoipDatabase } from "./geoip/geoip.ts";
import { readFileLimit } from "./host/file-limit.ts";
import { BunTransport } from "./server/bun-server.ts";
import { createHttpHandler, type HttpHandler } from "./server/http-handler.ts";
import { StaticAssets, type Asset } from "./server/static-assets.ts";
import type { Transport } from "./server/transport.ts";
import type { EventReader, EventStore } from "./storage/event-store.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { WriteBuffer } from "./storage/write-buffer.ts";
import type { PostgresStore } from "./storage/postgres-store.ts";
import { SpoolWriter } from "./storage/spool-writer.ts";
import { StreamArchiver } from "./storage/stream-archiver.ts";

/** Writes accepted events to the store, a tick's worth at a time (WriteBuffer). */
export interface EventWriter {
  add(event: AcceptedEvent): void;
  /** Writes what has waited since the last tick (a chunk per turn of the event loop). */
  drain(): void;
  /** Writes everything still waiting, at once: at shutdown (a database server's writer resolves when it has). */
  close(): void | Promise<void>;
}

/** What a Pulse is made from: every resource that does I/O or crosses processes. */
export interface PulseResources {
  files: Readonly<Record<string, Asset>>;
  /** Read for the restore at start (unless the control plane brings the history) and for exports; written only through `writer`. */
  store: EventReader;
  token: string;
  bus: EventBus;
  control: ControlPlane;
  transport: Transport;
  /** Stores every event the bus delivers; absent where another process stores them once for all (a worker: the primary). */
  writer?: EventWriter;
  /** Given when a resource counts into it too (a writer, a bus that may lose events). */
  metrics?: Metrics;
  /** This process's open-file limit (each worker has its own); read from /proc when not given, null when unknown. */
  openFiles?: number | null;
  /** With --workers: which worker this is, told in an x-pulse-worker header on every response. */
  workerId?: number;
  /** The time requests are answered at (tests move it by hand). */
  clock?: () => number;
}

/** A composed Pulse, not yet listening: what a transport serves and a control plane drives. */
export interface Pulse {
  handler: HttpHandler;
  dashboards: Dashboards;
  hub: Hub;
  metrics: Metrics;
  /** Which dashboards may open: per-address cap and open-file reserve. */
  admission: SocketAdmission;
  /** Live-widget sockets (GET /live): their counts and the tabs they hold. */
  widgets: LiveWidgets;
  /** Events rebuilt from storage at start. */
  restored: number;
  /** The tick step and the rest of what the control plane drives. */
  node: TickingNode;
  /** Sends a signal the server makes (a live-widget socket held or released) over the bus with the next batch. */
  announce(signal: PresenceSignal): void;
}

/** Builds a Pulse from the config and its resources without opening a port. Throws GeoipError on a bad --geoip. */
export function composePulse(config: Config, resources: PulseResources): Pulse {
  const { store, bus, control, transport, writer } = resources;
  const metrics = resources.metrics ?? new Metrics();
  const maxSites = liveSiteCap(config);
  const live = visitorMemory(config.maxMemory * 1024 * 1024, maxSites);
  const hitLogMemory = Math.floor(live * HIT_LOG_SHARE);
  // The hub drops filtered views nobody watches: the dashboards' shards know who watches what.
  const shards = new TopicShards();
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites, visitorMemory: live - hitLogMemory, hitLogMemory }, shards);
  // A damaged stored chunk is skipped (and logged) by the store; counted here from the restore on.
  store.onDamagedChunk(() => metrics.damagedChunks++);
  const now = Date.now();
  const history = control.history ?? store.since?.(now - ACTIVE_MS, control.restoreThrough);
  if (!history) throw new Error("a store read asynchronously needs a control plane that brings the history");
  const restored = hub.restore(history, now);
  // Signals are never stored: the tabs come from the nodes that ran before, where there were any.
  for (const signal of control.presence ?? []) hub.presence.apply(signal);
  let accepted: AcceptedEvent[] = [];
  const ingestor = new Ingestor(hub, {
    salts: control.salts,
    ...(config.geoip === null ? {} : { geoip: openGeoipDatabase(config.geoip) }),
    ...(config.sites.length > 0 ? { allowedSites: new Set(config.sites) } : {}),
    keepQuery: config.keepQuery,
    onAccepted: (event) => accepted.push(event),
  });
  bus.onBatch((batch, own) => {
    for (const event of batch) {
      // A presence signal moves a tab and is nothing more: never recorded, never stored.
      if (applyPresence(hub.presence, event)) continue;
      // Every process keeps the same events out; the one that accepted them counts them.
      if (!hub.record(event.site, hitOf(event)) && own) metrics.eventsNotShown++;
      writer?.add(event);
    }
    ingestor.settle(batch);
  });
  const openFiles = resources.openFiles !== undefined ? resources.openFiles : (readFileLimit()?.soft ?? null);
  const warn = (message: string) => console.warn(`pulse: ${message}`);
  // Dashboards and widgets hold files alike: both count against the same ceilings.
  const openSockets: OpenSockets = { open: 0 };
  const admission = new SocketAdmission(admissionLimits(openFiles, config.maxDashboardsPerIp), warn, { total: openSockets });
  const dashboards = new Dashboards(hub, { publicSites: config.publicSites, metrics, admission, shards, ...(resources.clock ? { now: resources.clock } : {}) });
  const widgetAdmission = new SocketAdmission(admissionLimits(openFiles, config.maxWidgetsPerIp), warn, {
    noun: { one: "live widget", many: "live widgets" },
    total: openSockets,
  });
  // Over the bus like any event, so that every process applies it in the same order.
  const announce = (signal: PresenceSignal) => void accepted.push(presenceEvent(signal));
  // A process re-announces the tabs its sockets hold well within the TTL, so a dead process's tabs expire.
  const widgets = new LiveWidgets(hub.presence, announce, shards, {
    intervalMs: config.liveInterval * 1000,
    reannounceMs: PRESENCE_TTL_MS / 2,
    admission: widgetAdmission,
    metrics,
    ...(resources.clock ? { now: resources.clock } : {}),
  });
  const turns = new LoopTurns();
  const handler = createHttpHandler({
    ingestor,
    hub,
    store,
    metrics,
    assets: new StaticAssets(resources.files),
    policy: { token: resources.token, publicSites: config.publicSites, metricsPublic: config.metricsPublic },
    allowOrigins: config.allowOrigins,
    trustProxy: config.trustProxy,
    ...(config.rateLimit > 0 ? { rateLimiter: new RateLimiter(config.rateLimit) } : {}),
    admission,
    live: { liveSites: config.liveSites, allowOrigins: config.allowOrigins, admission: widgetAdmission, metrics },
    onRequest: (time) => turns.request(time),
    overloaded: () => bus.congested(),
    ...(resources.workerId === undefined ? {} : { workerId: resources.workerId }),
    clusterMetrics: () => control.clusterFigures(),
    ...(resources.clock ? { now: resources.clock } : {}),
  });
  const fanOut = new FanOut(
    ({ topic, data }) => {
      transport.publish(topic, data);
      metrics.framesPublished++;
      metrics.bytesPublished += data.length;
    },
    (publications) => dashboards.shards.passes(publications),
    turns,
  );
  const sendAccepted = (): boolean => {
    if (accepted.length === 0) return false;
    const batch = accepted;
    accepted = [];
    bus.publish(batch);
    return true;
  };
  /** A tick's frames and the widgets' due ones go out together, in the same passes over the same shards. */
  const withLive = (publications: Publication[], time: number): Publication[] => {
    const live = widgets.tick(time);
    return live.length === 0 ? publications : publications.concat(live);
  };
  /** What a tick does before its frames: the events accepted go out, those received are stored. */
  const beforeTick = () => {
    sendAccepted();
    writer?.drain();
  };
  const node: TickingNode = {
    step: (tick) => {
      beforeTick();
      const publications = withLive(hub.tick(tick.time), tick.time);
      metrics.viewsOpen = hub.viewTotal();
      metrics.tabsPresent = hub.presence.present;
      dashboards.answerWaitingRewinds();
      return fanOut.send(publications);
    },
    finalStep: (time) => {
      beforeTick();
      fanOut.sendNow(withLive(hub.tick(time), time));
    },
    sendAccepted,
    turns,
    metrics,
  };
  return { handler, dashboards, widgets, hub, metrics, admission, restored, node, announce };
}

export interface RunningServer {
  port: number;
  /** Events rebuilt from storage at start. */
  restored: number;
  metrics: Metrics;
  /** Stops accepting, stores and publishes what is pending, closes dashboards with 1001. */
  stop(): Promise<void>;
}

/** Composes a Pulse, listens, and lets the control plane drive it. */
export function startServer(config: Config, resources: PulseResources): RunningServer {
  const pulse = composePulse(config, resources);
  const { transport, control, bus, store, writer } = resources;
  // Workers share the port: the kernel spreads connections over them.
  const port = transport.listen({ port: config.port, host: config.host, reusePort: config.workers > 1 }, pulse);
  control.start(pulse.node);
  return {
    port,
    restored: pulse.restored,
    metrics: pulse.metrics,
    async stop() {
      transport.stopListening();
      control.stop();
      // Ticks write a chunk per turn of the event loop: at shutdown, everything now.
      await writer?.close();
      await transport.closeAll(CloseCode.GoingAway, "server restarting");
      bus.close();
      await store.close();
    },
  };
}

export interface SingleProcessBase {
  files: Readonly<Record<string, Asset>>;
  store: EventStore;
  token: string;
  /** The data directory's salts; fresh ones when not given (tests). */
  salts?: DailySalts;
  openFiles?: number | null;
}

/** A single process is the whole server: its own bus, its own pace, its own storage, Bun.serve. */
export function singleProcessResources(config: Config, base: SingleProcessBase): PulseResources {
  const metrics = new Metrics();
  const salts = base.salts ?? new DailySalts();
  return {
    ...base,
    metrics,
    bus: new LocalBus(),
    control: new LocalControl({ tickMs: config.tickMs, salts, storePosition: base.store.lastPosition() }),
    transport: new BunTransport(),
    writer: new WriteBuffer(base.store, metrics),
  };
}

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

/** A single process, started as `pulse serve` starts it (the caller prunes the store: see startRetention). */
export function startSingleProcess(config: Config, base: SingleProcessBase): RunningServer {
  return startServer(config, singleProcessResources(config, base));
}

/**
 * A worker of `--workers`: the bus and the control plane are the primary's, over the IPC channel
 * (the bus is made first, before the primary's `start`, so no batch finds it missing); the
 * primary stores the events, so a worker has no writer and only reads the store.
 */
export function workerBus(channel: Channel, onDropped: (batch: Batch) => void): IpcBus {
  return new IpcBus(channel, { onDropped });
}

export function workerResources(
  config: Config,
  start: StartMessage,
  channel: Channel,
  bus: IpcBus,
  base: { files: Readonly<Record<string, Asset>>; metrics: Metrics },
  history?: { events: AcceptedEvent[]; presence: PresenceSignal[] },
  /** Where exports read, when the nodes share a database: the node's own file otherwise. */
  shared?: PostgresStore,
): PulseResources {
  return {
    ...base,
    store: shared ? shared.reader() : openSqliteStore(start.eventsPath),
    token: start.token,
    bus,
    control: new IpcControl(channel, start, { tickMs: config.tickMs, ...(history ? { history } : {}) }),
    transport: new BunTransport(),
    workerId: start.id,
  };
}
