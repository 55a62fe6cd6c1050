/**
 * A Pulse composed as the server composes it (src/app.ts), without a port: the HTTP handler is
 * called with Requests, frames are recorded instead of sent, and ticks run when the test says.
 */
import { composePulse } from "../../src/app.ts";
import type { EventBus } from "../../src/bus/event-bus.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import type { ClusterFigures } from "../../src/control/control-plane.ts";
import { parseConfig } from "../../src/config.ts";
import type { DashboardData } from "../../src/core/fanout/dashboards.ts";
import { Metrics } from "../../src/core/metrics.ts";
import type { LiveData } from "../../src/core/presence/live-widgets.ts";
import type { Peer } from "../../src/server/http-handler.ts";
import type { Asset } from "../../src/server/static-assets.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { WriteBuffer } from "../../src/storage/write-buffer.ts";
import { HandControl, RecordingTransport } from "./hand-control.ts";

export const BASE = "http://localhost:3000";
export const TOKEN = "handler-test-token-0123";

export interface HandlerOptions {
  allowOrigins?: string[];
  trustProxy?: boolean;
  publicSites?: string[];
  metricsPublic?: boolean;
  rateLimit?: number;
  /** The only sites accepted (--sites). */
  sites?: string[];
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
  /** The bus instead of a single process's (then `overloaded` is the bus's own). */
  bus?: EventBus;
  /** The files served; by default a page and a placeholder tracker. */
  files?: Record<string, Asset>;
}

/** The single process's bus, congested when the test says. */
class TestBus extends LocalBus {
  constructor(private readonly overloaded: () => boolean) {
    super();
  }
  override congested(): boolean {
    return this.overloaded();
  }
}

export function handlerSetup(options: HandlerOptions = {}) {
  const store = options.store ?? createMemoryStore();
  const config = parseConfig(
    [
      "--rate-limit", String(options.rateLimit ?? 0),
      "--max-dashboards-per-ip", String(options.maxDashboardsPerIp ?? 0),
      ...(options.trustProxy ? ["--trust-proxy"] : []),
      ...(options.metricsPublic ? ["--metrics-public"] : []),
      ...(options.publicSites ?? []).flatMap((site) => ["--public-site", site]),
      ...(options.allowOrigins ?? []).flatMap((origin) => ["--allow-origin", origin]),
      ...(options.sites ?? []).flatMap((site) => ["--sites", site]),
    ],
    {},
  );
  const metrics = new Metrics();
  const control = new HandControl(store.lastPosition(), options.clusterMetrics);
  const transport = new RecordingTransport();
  const pulse = composePulse(config, {
    files: options.files ?? {
      "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" },
      "/js/script.js": { contentType: "text/javascript", body: "/* the tracker */" },
    },
    store,
    token: options.token ?? TOKEN,
    bus: options.bus ?? new TestBus(options.overloaded ?? (() => false)),
    control,
    transport,
    metrics,
    writer: new WriteBuffer(store, metrics),
    openFiles: options.openFiles ?? null,
    ...(options.now ? { clock: options.now } : {}),
  });
  control.start(pulse.node);
  const upgrades: Array<DashboardData | LiveData> = [];
  const peer: Peer = { address: "192.0.2.7", upgrade: (data) => (upgrades.push(data), true) };
  return {
    hub: pulse.hub,
    announce: pulse.announce,
    store,
    metrics,
    admission: pulse.admission,
    handler: (request: Request) => pulse.handler(request, peer),
    withPeer: pulse.handler,
    upgrades,
    published: transport.published,
    /** Runs a tick: accepted events are applied, stored and published. */
    tick: (time?: number) => control.tick(time),
  };
}

export const bearer = { authorization: `Bearer ${TOKEN}` };

export async function errorOf(response: Response | undefined) {
  return { status: response!.status, body: (await response!.json()) as { error: string } };
}
