import type { Config } from "./config.ts";
import { ACTIVE_MS } from "./core/active-visitors.ts";
import { Dashboards } from "./core/dashboards.ts";
import { DEFAULT_HUB_LIMITS, Hub } from "./core/hub.ts";
import type { AcceptedEvent } from "./core/accepted-event.ts";
import { Ingestor } from "./core/ingest.ts";
import { hitOf } from "./core/site-stats.ts";
import type { EventBus } from "./bus/event-bus.ts";
import { LocalBus } from "./bus/local-bus.ts";
import { Metrics } from "./core/metrics.ts";
import { CloseCode } from "./core/protocol.ts";
import { ConnectionCounter, RateLimiter } from "./core/rate-limiter.ts";
import type { DailySalts } from "./core/visitor-id.ts";
import { startBunServer } from "./server/bun-server.ts";
import { openGeoipDatabase } from "./server/geoip.ts";
import { createHttpHandler, type ClusterFigures } from "./server/http-handler.ts";
import { StaticAssets, type Asset } from "./server/static-assets.ts";
import { FanOut, startTickLoop } from "./server/tick-loop.ts";
import type { EventStore } from "./storage/event-store.ts";
import { startRetention } from "./storage/retention.ts";
import { WriteBuffer } from "./storage/write-buffer.ts";

/** What main.ts (or a test) prepares before the server starts: files, storage and secrets. */
export interface ServerResources {
  files: Readonly<Record<string, Asset>>;
  store: EventStore;
  token: string;
  salts?: DailySalts;
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
    /** Told when a tick's last pass is written: the primary's clock waits for every worker. */
    onTicked?: (workMs: number) => void;
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
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites: config.maxSites });
  const { worker } = resources;
  const now = Date.now();
  const restored = hub.restore(store.since(now - ACTIVE_MS, worker?.restoreThrough), now);
  // Only a single process writes; with workers, the primary stores each batch once.
  const writes = worker ? undefined : new WriteBuffer(store, metrics);
  const bus = resources.bus ?? new LocalBus();
  bus.onBatch((batch) => {
    for (const event of batch) {
      if (!hub.record(event.site, hitOf(event))) metrics.eventsNotShown++;
      writes?.add(event);
    }
  });
  let accepted: AcceptedEvent[] = [];
  const ingestor = new Ingestor(hub, {
    ...(resources.salts ? { salts: resources.salts } : {}),
    ...(config.geoip === null ? {} : { geoip: openGeoipDatabase(config.geoip) }),
    ...(config.sites.length > 0 ? { allowedSites: new Set(config.sites) } : {}),
    keepQuery: config.keepQuery,
    onAccepted: (event) => accepted.push(event),
  });
  const dashboardsPerIp = config.maxDashboardsPerIp > 0 ? new ConnectionCounter(config.maxDashboardsPerIp) : undefined;
  const dashboards = new Dashboards(hub, { publicSites: config.publicSites, metrics, ...(dashboardsPerIp ? { dashboardsPerIp } : {}) });
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
    ...(dashboardsPerIp ? { dashboardsPerIp } : {}),
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
  );
  const publishAccepted = () => {
    if (accepted.length > 0) {
      const batch = accepted;
      accepted = [];
      bus.publish(batch);
    }
    ingestor.settle();
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
  });

  /**
   * A worker sends what it accepted every --tick-ms, and ticks when the bus says: every worker
   * then turns the same batches into the same frames at the same time.
   */
  function followTicks() {
    const sending = setInterval(publishAccepted, config.tickMs);
    bus.onTick(({ time, intervalMs }) => {
      fanOut.send(hub.tick(time)).then(
        (workMs) => {
          metrics.recordTick(workMs / 1000, intervalMs / 1000);
          worker?.onTicked?.(workMs);
        },
        (error: unknown) => {
          console.error("pulse: tick failed:", error);
          worker?.onTicked?.(0);
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
      writes?.flush();
      await transport.closeAll(CloseCode.GoingAway, "server restarting");
      bus.close();
      store.close();
    },
  };
}
