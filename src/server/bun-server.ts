import type { Server, ServerWebSocket } from "bun";
import type { DashboardData } from "../core/fanout/dashboards.ts";
import { isLiveData, type LiveData } from "../core/presence/live-widgets.ts";
import { errorResponse } from "./responses.ts";
import { BACKPRESSURE_LIMIT, MAX_REQUEST_BODY_BYTES, MAX_SOCKET_MESSAGE_BYTES, type ListenOptions, type Served, type Transport } from "./transport.ts";

const ABNORMAL_CLOSURE = 1006;

type SocketData = DashboardData | LiveData;
const isLive = (ws: ServerWebSocket<SocketData>): ws is ServerWebSocket<LiveData> => isLiveData(ws.data);

/**
 * Bun.serve (uWebSockets inside) as Pulse's transport: it speaks Fetch natively, so each handler
 * is a one-line delegation, and its topic publish is uWebSockets' own.
 */
export class BunTransport implements Transport {
  private server: Server<SocketData> | undefined;
  /** Only for closing them with 1001 at shutdown; frames reach sockets by topic publish. */
  private readonly sockets = new Set<ServerWebSocket<SocketData>>();

  listen({ port, host, reusePort }: ListenOptions, { handler, dashboards, widgets, metrics }: Served): number {
    const sockets = this.sockets;
    this.server = Bun.serve({
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
        "/api/event": (request, server) => handler.ingest(request, server.requestIP(request)?.address ?? ""),
        "/api/presence": (request, server) => handler.presence(request, server.requestIP(request)?.address ?? ""),
      },
      fetch: (request, server) =>
        handler(request, {
          // Asked of the socket only by a route that needs it (a system call per request).
          get address() {
            return server.requestIP(request)?.address ?? "";
          },
          // Bun's idle timer runs on while a response streams slowly: a long export would be cut.
          keepOpen: () => server.timeout(request, 0),
          upgrade: (data) => server.upgrade(request, { data }),
        }),
      websocket: {
        data: {} as SocketData,
        // Dashboards and live widgets share the handler: the socket's data says which it is.
        open(ws) {
          sockets.add(ws);
          if (isLive(ws)) widgets.open(ws);
          else dashboards.open(ws as ServerWebSocket<DashboardData>);
        },
        message(ws, message) {
          if (isLive(ws)) widgets.message(ws);
          else dashboards.message(ws as ServerWebSocket<DashboardData>, typeof message === "string" ? message : new Uint8Array(message));
        },
        close(ws, code) {
          sockets.delete(ws);
          // uWebSockets reports a socket it dropped for backpressure as 1006, like a lost connection.
          if (code === ABNORMAL_CLOSURE) metrics.abnormalCloses++;
          if (isLive(ws)) widgets.close(ws);
          else dashboards.close(ws as ServerWebSocket<DashboardData>);
        },
        maxPayloadLength: MAX_SOCKET_MESSAGE_BYTES,
        // Frames are small JSON published to thousands of sockets: per-socket compressors would cost more memory than they save.
        perMessageDeflate: false,
        idleTimeout: 120,
        sendPings: true,
        backpressureLimit: BACKPRESSURE_LIMIT,
        closeOnBackpressureLimit: true,
      },
    });
    return this.server.port!;
  }

  publish(topic: string, data: string): void {
    this.server?.publish(topic, data, false);
  }

  /** (Bun's stop promise waits for open connections: not awaited.) */
  stopListening(): void {
    void this.server?.stop(false);
  }

  async closeAll(code: number, reason: string): Promise<void> {
    for (const ws of this.sockets) ws.close(code, reason);
    await this.server?.stop(true);
  }
}
