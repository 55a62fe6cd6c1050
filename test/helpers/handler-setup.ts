/** An HTTP handler wired like the server's, for route tests that need no port. */
import type { DashboardData } from "../../src/core/fanout/dashboards.ts";
import { Hub } from "../../src/core/stats/hub.ts";
import { Ingestor } from "../../src/core/ingest/ingest.ts";
import { hitOf } from "../../src/core/stats/site-stats.ts";
import { Metrics } from "../../src/core/metrics.ts";
import { RateLimiter } from "../../src/core/ingest/rate-limiter.ts";
import { admissionLimits, SocketAdmission } from "../../src/core/fanout/socket-admission.ts";
import type { ClusterFigures } from "../../src/control/control-plane.ts";
import { createHttpHandler, type Peer } from "../../src/server/http-handler.ts";
import { StaticAssets } from "../../src/server/static-assets.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";

export const BASE = "http://localhost:3000";
export const TOKEN = "handler-test-token-0123";

export interface HandlerOptions {
  allowOrigins?: string[];
  trustProxy?: boolean;
  publicSites?: string[];
  metricsPublic?: boolean;
  rateLimit?: number;
  maxDashboardsPerIp?: number;
  /** The open-file limit dashboards are admitted under; none by default. */
  openFiles?: number;
  store?: EventStore;
  now?: () => number;
  token?: string;
  /** As a worker of --workers has them: every process's figures, as the primary last sent them. */
  clusterMetrics?: () => ClusterFigures | undefined;
  /** Whether the bus is congested (ingest then answers 503). */
  overloaded?: () => boolean;
}

export function handlerSetup(options: HandlerOptions = {}) {
  const hub = new Hub();
  const metrics = new Metrics();
  const store = options.store ?? createMemoryStore();
  const addresses: string[] = [];
  const admission = new SocketAdmission(admissionLimits(options.openFiles ?? null, options.maxDashboardsPerIp ?? 0));
  const ingestor = new Ingestor(hub, {
    onAccepted: (event) => {
      store.append([event]);
      hub.record(event.site, hitOf(event));
    },
  });
  const original = ingestor.ingest.bind(ingestor);
  ingestor.ingest = (request) => {
    addresses.push(request.ip);
    return original(request);
  };
  const handler = createHttpHandler({
    ingestor,
    hub,
    store,
    metrics,
    assets: new StaticAssets({
      "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" },
      "/js/script.js": { contentType: "text/javascript", body: "/* the tracker */" },
    }),
    policy: { token: options.token ?? TOKEN, publicSites: options.publicSites ?? [], metricsPublic: options.metricsPublic ?? false },
    allowOrigins: options.allowOrigins ?? [],
    trustProxy: options.trustProxy ?? false,
    ...(options.rateLimit ? { rateLimiter: new RateLimiter(options.rateLimit) } : {}),
    admission,
    ...(options.now ? { now: options.now } : {}),
    ...(options.clusterMetrics ? { clusterMetrics: options.clusterMetrics } : {}),
    ...(options.overloaded ? { overloaded: options.overloaded } : {}),
  });
  const upgrades: DashboardData[] = [];
  const peer: Peer = { address: "192.0.2.7", upgrade: (data) => (upgrades.push(data), true) };
  return { hub, store, metrics, admission, handler: (request: Request) => handler(request, peer), withPeer: handler, upgrades, addresses };
}

export const bearer = { authorization: `Bearer ${TOKEN}` };

export async function errorOf(response: Response | undefined) {
  return { status: response!.status, body: (await response!.json()) as { error: string } };
}
