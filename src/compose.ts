/**
 * How a Pulse is put together from its resources, whatever runtime runs it: the core, the HTTP
 * handler and the tick, wired to the store, bus, control plane and transport it is given. The
 * composition roots pick those: src/app.ts for the Bun binary (Bun.serve, bun:sqlite, Redis,
 * PostgreSQL), src/node-main.ts for Node.js (uWebSockets.js, better-sqlite3). Nothing here
 * imports a runtime's own API. Tests compose the same way, with a transport that records frames
 * and a control plane they tick by hand, so what the tests exercise is what runs.
 */
import type { EventBus } from "./bus/event-bus.ts";
import { LocalBus } from "./bus/local-bus.ts";
import type { Channel, IpcBus } from "./bus/ipc-bus.ts";
import type { StartMessage } from "./cluster/messages.ts";
import { IpcControl } from "./control/ipc-control.ts";
import { liveSiteCap, type Config } from "./config.ts";
import type { ControlPlane, TickingNode } from "./control/control-plane.ts";
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
import { applyPresence, presenceEvent } from "./core/presence/presence-events.ts";
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
import { createHttpHandler, type HttpHandler } from "./server/http-handler.ts";
import { StaticAssets, type Asset } from "./server/static-assets.ts";
import type { Transport } from "./server/transport.ts";
import type { EventReader, EventStore } from "./storage/event-store.ts";
import { WriteBuffer } from "./storage/write-buffer.ts";

/**
 * Accepted events go on the bus at ticks, and as soon as this many wait. A bus says it is
 * congested from what it has sent and not had back; events still held here it cannot see. A
 * flooded worker between two sends once held tens of MB of events with 30 properties each, all
 * answered 202 while its bus looked clear, and then dropped whole by it. At most some 8 KB each
 * (a body's limit), this many stay well within the room a bus keeps past congestion.
 */
export const SEND_AT_EVENTS = 500;

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
    onAccepted: (event) => {
      if (accepted.push(event) >= SEND_AT_EVENTS) sendAccepted();
    },
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
    full: () => bus.full(),
    ...(resources.workerId === undefined ? {} : { workerId: resources.workerId }),
    clusterMetrics: () => control.clusterFigures(),
    ...(transport.reply ? { reply: transport.reply } : {}),
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

/** A single process is the whole server: its own bus, its own pace, its own storage, and the transport given. */
export function localResources(config: Config, base: SingleProcessBase, transport: Transport): PulseResources {
  const metrics = new Metrics();
  const salts = base.salts ?? new DailySalts();
  return {
    ...base,
    metrics,
    bus: new LocalBus(),
    control: new LocalControl({ tickMs: config.tickMs, salts, storePosition: base.store.lastPosition() }),
    transport,
    writer: new WriteBuffer(base.store, metrics),
  };
}

/**
 * A worker of `--workers`: the bus and the control plane are the primary's, over the IPC channel
 * (the bus is made first, before the primary's `start`, so no batch finds it missing); the primary
 * stores the events, so a worker has no writer and only reads `reading.store`.
 */
export function workerResources(
  config: Config,
  start: StartMessage,
  channel: Channel,
  bus: IpcBus,
  base: { files: Readonly<Record<string, Asset>>; metrics: Metrics },
  transport: Transport,
  reading: { store: EventReader; history?: { events: AcceptedEvent[]; presence: PresenceSignal[] } },
): PulseResources {
  return {
    ...base,
    store: reading.store,
    token: start.token,
    bus,
    control: new IpcControl(channel, start, { tickMs: config.tickMs, ...(reading.history ? { history: reading.history } : {}) }),
    transport,
    workerId: start.id,
  };
}
