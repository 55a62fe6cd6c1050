import { liveSiteCap, type Config } from "./config.ts";
import { ACTIVE_MS } from "./core/stats/active-visitors.ts";
import { Dashboards } from "./core/fanout/dashboards.ts";
import { DEFAULT_HUB_LIMITS, Hub } from "./core/stats/hub.ts";
import type { AcceptedEvent } from "./core/ingest/accepted-event.ts";
import { Ingestor } from "./core/ingest/ingest.ts";
import { hitOf } from "./core/stats/site-stats.ts";
import type { EventBus } from "./bus/event-bus.ts";
import type { ClusterFigures, Tick } from "./control/control-plane.ts";
import { LocalBus } from "./bus/local-bus.ts";
import { Metrics } from "./core/metrics.ts";
import { CloseCode } from "./core/wire/protocol.ts";
import { RateLimiter } from "./core/ingest/rate-limiter.ts";
import { admissionLimits, SocketAdmission } from "./core/fanout/socket-admission.ts";
import { visitorMemory } from "./core/stats/visitor-budget.ts";
import type { DailySalts } from "./core/ingest/visitor-id.ts";
import { startBunServer } from "./server/bun-server.ts";
import { readFileLimit } from "./host/file-limit.ts";
import { openGeoipDatabase } from "./geoip/geoip.ts";
import { createHttpHandler } from "./server/http-handler.ts";
import { StaticAssets, type Asset } from "./server/static-assets.ts";
import { LoopTurns } from "./core/fanout/loop-turns.ts";
import { FanOut } from "./core/fanout/fan-out.ts";
import { startTickLoop } from "./server/tick-loop.ts";
import type { EventStore } from "./storage/event-store.ts";
import { startRetention } from "./storage/retention.ts";
import { WriteBuffer } from "./storage/write-buffer.ts";

/** What main.ts (or a test) prepares before the server starts: files, storage and secrets. */
export interface ServerResources {
  files: Readonly<Record<string, Asset>>;
  store: EventStore;
  token: string;
  salts?: DailySalts;
  /** This process's open-file limit (each worker has its own); read from /proc when not given, null when unknown. */
  openFiles?: number | null;
  /** The event exchange with the other worker processes; a single process has its own. */
  bus?: EventBus;
  /**
   * One of several workers (--workers): the primary process stores the events, so this one only
   * reads the store; it rebuilds the state up to `restoreThrough` and takes the rest from the bus;
   * it shares the port; and its responses say which worker answered.
   */
  worker?: {
    id: number;
    restoreThrough: number;
    clusterMetrics?: () => ClusterFigures | undefined;
    /** Tells the primary this worker is alive, when its timers are held back by a flood (see LoopTurns). */
    alive?: () => void;
    /** Told when a tick's last pass is written: the primary's clock waits for every worker. */
    onTicked?: (tick: Tick, workMs: number) => void;
    /** Ticks from the primary, in line with the bus's batches. */
    onTick?: (handler: (tick: Tick) => void) => void;
  };
}

export interface RunningServer {
  port: number;
  /** Events rebuilt from storage at start. */
  restored: number;
  metrics: Metrics;
  /** Stops accepting, stores and publishes what is pending, closes dashboards with 1001. */
  stop(): Promise<void>;
}

/** The one place that picks the pieces and wires them together from the config. Throws GeoipError on a bad --geoip. */
export function startServer(config: Config, resources: ServerResources): RunningServer {
  const { store } = resources;
  const metrics = new Metrics();
  const maxSites = liveSiteCap(config);
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites, visitorMemory: visitorMemory(config.maxMemory * 1024 * 1024, maxSites) });
  const { worker } = resources;
  // A damaged stored chunk is skipped (and logged) by the store; counted here from the restore on.
  store.onDamagedChunk(() => metrics.damagedChunks++);
  const now = Date.now();
  const restored = hub.restore(store.since(now - ACTIVE_MS, worker?.restoreThrough), now);
  // Only a single process writes; with workers, the primary stores each batch once.
  const writes = worker ? undefined : new WriteBuffer(store, metrics);
  const bus = resources.bus ?? new LocalBus();
  let accepted: AcceptedEvent[] = [];
  const ingestor = new Ingestor(hub, {
    ...(resources.salts ? { salts: resources.salts } : {}),
    ...(config.geoip === null ? {} : { geoip: openGeoipDatabase(config.geoip) }),
    ...(config.sites.length > 0 ? { allowedSites: new Set(config.sites) } : {}),
    keepQuery: config.keepQuery,
    onAccepted: (event) => accepted.push(event),
  });
  bus.onBatch((batch, own) => {
    for (const event of batch) {
      // Every process keeps the same events out; the one that accepted them counts them.
      if (!hub.record(event.site, hitOf(event)) && own) metrics.eventsNotShown++;
      writes?.add(event);
    }
    ingestor.settle(batch);
  });
  const openFiles = resources.openFiles !== undefined ? resources.openFiles : (readFileLimit()?.soft ?? null);
  const admission = new SocketAdmission(admissionLimits(openFiles, config.maxDashboardsPerIp), (message) => console.warn(`pulse: ${message}`));
  const dashboards = new Dashboards(hub, { publicSites: config.publicSites, metrics, admission });
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
    onRequest: (time) => turns.request(time),
    overloaded: () => bus.congested(),
    ...(worker ? { workerId: worker.id } : {}),
    ...(worker?.clusterMetrics ? { clusterMetrics: worker.clusterMetrics } : {}),
  });
  const transport = startBunServer({ port: config.port, host: config.host, handler, dashboards, metrics, reusePort: worker !== undefined });
  const fanOut = new FanOut(
    ({ topic, data }) => {
      transport.publish(topic, data);
      metrics.framesPublished++;
      metrics.bytesPublished += data.length;
    },
    (publications) => dashboards.shards.passes(publications),
    turns,
  );
  /** When this process last told the bus anything (a worker: the primary). */
  let toldAt = Date.now();
  const publishAccepted = () => {
    toldAt = Date.now();
    if (accepted.length > 0) {
      const batch = accepted;
      accepted = [];
      bus.publish(batch);
    }
  };
  const ticks = worker ? followTicks() : startTickLoop({
    tickMs: config.tickMs,
    tick: (time) => {
      publishAccepted();
      writes?.drain();
      return hub.tick(time);
    },
    fanOut,
    onTick: (work, interval) => metrics.recordTick(work, interval),
    turns,
  });

  /**
   * A worker sends what it accepted every --tick-ms, and ticks when the bus says: every worker
   * then turns the same batches into the same frames at the same time.
   */
  function followTicks() {
    const sending = setInterval(publishAccepted, config.tickMs);
    // A flood can hold the interval back for seconds (see LoopTurns): the requests send instead.
    turns.onRequest((time) => {
      if (time - toldAt < 2 * config.tickMs) return;
      // With nothing to send (it is refusing events as overloaded), it says it is alive.
      if (accepted.length === 0) worker?.alive?.();
      publishAccepted();
    });
    worker?.onTick?.((tick) => {
      fanOut.send(hub.tick(tick.time)).then(
        (workMs) => {
          metrics.recordTick(workMs / 1000, tick.intervalMs / 1000);
          worker?.onTicked?.(tick, workMs);
        },
        (error: unknown) => {
          console.error("pulse: tick failed:", error);
          worker?.onTicked?.(tick, 0);
        },
      );
    });
    return { stop: () => clearInterval(sending), flush: publishAccepted };
  }

  const retention = worker ? { stop() {} } : startRetention(store, config.retentionDays);

  return {
    port: transport.port,
    restored,
    metrics,
    async stop() {
      transport.stopListening();
      ticks.stop();
      retention.stop();
      ticks.flush();
      // Ticks write a chunk per turn of the event loop: at shutdown, everything now.
      writes?.close();
      await transport.closeAll(CloseCode.GoingAway, "server restarting");
      bus.close();
      store.close();
    },
  };
}
