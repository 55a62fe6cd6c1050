import type { Server } from "bun";
import type { DashboardData, Dashboards } from "../core/dashboards.ts";
import type { FetchHandler } from "./http-handler.ts";

export interface BunServerOptions {
  port: number;
  host: string;
  handler: FetchHandler;
  dashboards: Dashboards;
}

/** Ingest bodies are 8 KiB at most; this stops Bun buffering anything much larger first. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** Bun.serve (uWebSockets inside) wired to the core: each handler is a one-line delegation. */
export function startBunServer({ port, host, handler, dashboards }: BunServerOptions) {
  const server: Server<DashboardData> = Bun.serve({
    port,
    hostname: host,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    fetch: (request, bunServer) =>
      handler(request, {
        address: bunServer.requestIP(request)?.address ?? "",
        upgrade: (data) => bunServer.upgrade(request, { data }),
      }),
    websocket: {
      data: {} as DashboardData,
      open: (ws) => dashboards.open(ws),
      message: (ws) => dashboards.message(ws),
      close: () => dashboards.close(),
      // Dashboards send nothing but control frames.
      maxPayloadLength: 1024,
      // Frames are small JSON published to thousands of sockets: per-socket compressors would cost more memory than they save.
      perMessageDeflate: false,
      idleTimeout: 120,
      sendPings: true,
      // A dashboard that stops reading is dropped once this much is queued, before it costs memory.
      backpressureLimit: 256 * 1024,
      closeOnBackpressureLimit: true,
    },
  });

  return {
    server,
    port: server.port!,
    publish: (topic: string, data: string) => server.publish(topic, data, false),
    /** Stops listening and drops open connections. */
    stop: () => server.stop(true),
  };
}
