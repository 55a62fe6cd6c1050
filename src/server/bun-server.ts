import type { Server, ServerWebSocket } from "bun";
import type { DashboardData, Dashboards } from "../core/fanout/dashboards.ts";
import type { Metrics } from "../core/metrics.ts";
import type { HttpHandler } from "./http-handler.ts";
import { errorResponse } from "./responses.ts";

export interface BunServerOptions {
  port: number;
  host: string;
  handler: HttpHandler;
  dashboards: Dashboards;
  metrics: Metrics;
  /** Share the port with the other worker processes (SO_REUSEPORT: the kernel spreads connections). */
  reusePort?: boolean;
}

/** Ingest bodies are 8 KiB at most; this stops Bun buffering anything much larger first. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** A dashboard that stops reading is dropped once this much is queued for it (frames are under 16 KB). */
export const BACKPRESSURE_LIMIT = 64 * 1024;
const ABNORMAL_CLOSURE = 1006;

/** Bun.serve (uWebSockets inside) wired to the core: each handler is a one-line delegation. */
export function startBunServer({ port, host, handler, dashboards, metrics, reusePort = false }: BunServerOptions) {
  // Only for closing them with 1001 at shutdown; frames reach sockets by topic publish.
  const sockets = new Set<ServerWebSocket<DashboardData>>();
  const server: Server<DashboardData> = Bun.serve({
    port,
    hostname: host,
    reusePort,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    // Bun's default, said aloud: a connection idle this long is closed, which frees a slow client's
    // file. It also runs while a response streams, however steadily: exports lift it (keepOpen).
    idleTimeout: 10,
    // Never Bun's development error page: it shows source code and paths to whoever caused the error.
    development: false,
    error: (error) => errorResponse(error),
    // Ingest, the hot path, is routed by uWebSockets itself; everything else goes through fetch.
    routes: {
      "/api/event": (request, bunServer) => handler.ingest(request, bunServer.requestIP(request)?.address ?? ""),
    },
    fetch: (request, bunServer) =>
      handler(request, {
        address: bunServer.requestIP(request)?.address ?? "",
        // Bun's idle timer runs on while a response streams slowly: a long export would be cut.
        keepOpen: () => bunServer.timeout(request, 0),
        upgrade: (data) => bunServer.upgrade(request, { data }),
      }),
    websocket: {
      data: {} as DashboardData,
      open(ws) {
        sockets.add(ws);
        dashboards.open(ws);
      },
      message: (ws, message) => dashboards.message(ws, typeof message === "string" ? message : new Uint8Array(message)),
      close(ws, code) {
        sockets.delete(ws);
        // uWebSockets reports a socket it dropped for backpressure as 1006, like a lost connection.
        if (code === ABNORMAL_CLOSURE) metrics.abnormalCloses++;
        dashboards.close(ws);
      },
      // Dashboards send only short commands.
      maxPayloadLength: 1024,
      // Frames are small JSON published to thousands of sockets: per-socket compressors would cost more memory than they save.
      perMessageDeflate: false,
      idleTimeout: 120,
      sendPings: true,
      backpressureLimit: BACKPRESSURE_LIMIT,
      closeOnBackpressureLimit: true,
    },
  });

  return {
    port: server.port!,
    publish(topic: string, data: string): void {
      server.publish(topic, data, false);
    },
    /** Stops accepting connections; open ones go on until closed. (Its promise waits for them: not awaited.) */
    stopListening(): void {
      void server.stop(false);
    },
    /** Closes every dashboard (1001: going away, so they reconnect), then everything else. */
    async closeAll(code: number, reason: string): Promise<void> {
      for (const ws of sockets) ws.close(code, reason);
      await server.stop(true);
    },
  };
}
