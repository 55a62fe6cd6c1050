/**
 * What carries HTTP and dashboard sockets for a Pulse: one implementation per server library,
 * picked in one place (src/app.ts). Bun.serve's is bun-server.ts; one for uWebSockets.js on Node is
 * one more file that implements this and one line at the composition.
 *
 * The contract the rest of Pulse relies on:
 * - **HTTP is the Fetch API's.** Every route is an `HttpHandler`: a `Request` in, a `Response`
 *   out (undefined once upgraded), export bodies streamed as a `ReadableStream`. Bun.serve speaks
 *   Fetch natively; a transport that does not builds the `Request` and writes the `Response` at
 *   its own edge, so nothing behind the handler sees the difference. `/api/event`, the hot path,
 *   goes to `handler.ingest` directly where the library routes paths natively.
 * - **Frames go by topic.** `publish` writes one frame to every socket subscribed to the topic,
 *   in the library's native pub/sub (never a loop over sockets in JavaScript), and writes frames
 *   under 16 KB to all of them in one pass.
 * - **Sockets are the core's.** Each dashboard socket is handed to `Dashboards` as a
 *   `DashboardSocket`: its small `data` (set at upgrade), `send`, `subscribe`, `unsubscribe` and
 *   `close`. A socket closed (by either side, or dropped for backpressure) is unsubscribed by the
 *   transport and reported once to `Dashboards.close`. A live-widget socket (its data has
 *   `kind: "live"`) goes the same way to `LiveWidgets`, through the same handlers and limits.
 * - **Bounded per socket.** A dashboard that stops reading is dropped once `BACKPRESSURE_LIMIT`
 *   bytes wait for it, and counted in `metrics.abnormalCloses`.
 */
import type { DashboardSocket, Dashboards } from "../core/fanout/dashboards.ts";
import type { Metrics } from "../core/metrics.ts";
import type { LiveWidgets } from "../core/presence/live-widgets.ts";
import type { HttpHandler } from "./http-handler.ts";

export type { DashboardSocket as TransportSocket } from "../core/fanout/dashboards.ts";

/** A dashboard that stops reading is dropped once this much is queued for it (frames are under 16 KB). */
export const BACKPRESSURE_LIMIT = 64 * 1024;
/** Ingest bodies are 8 KiB at most; a transport refuses bodies much larger before buffering them. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** Dashboards send only short commands. */
export const MAX_SOCKET_MESSAGE_BYTES = 1024;

export interface ListenOptions {
  port: number;
  host: string;
  /** Share the port with the other worker processes (SO_REUSEPORT: the kernel spreads connections). */
  reusePort: boolean;
}

/** What the transport serves: every HTTP route, and the lifecycle of dashboard and live-widget sockets. */
export interface Served {
  handler: HttpHandler;
  dashboards: Dashboards;
  /** Live-widget sockets, told apart from dashboards by their data (`kind: "live"`). */
  widgets: LiveWidgets;
  metrics: Metrics;
}

/**
 * Builds the hot path's plain answers (ingest's 202 "ok", its preflight's 204). The default is a
 * Fetch `Response`; a transport where building one costs more than answering (Node's makes a web
 * stream for every body) gives its own, which only it has to write.
 */
export type Reply = (status: number, body: string | null, headers: Headers | Record<string, string>) => Response;

export const fetchReply: Reply = (status, body, headers) => new Response(body, { status, headers });

export interface Transport {
  /** This transport's `Reply`, when not the Fetch Response. */
  readonly reply?: Reply;
  /** Starts serving; returns the port bound (a free one for port 0). Throws when it cannot listen. */
  listen(options: ListenOptions, served: Served): number;
  /** One frame to every socket subscribed to `topic`. */
  publish(topic: string, data: string): void;
  /** Stops accepting connections; open ones go on until closed. */
  stopListening(): void;
  /** Closes every dashboard with `code` (1001 at shutdown: they reconnect elsewhere), then everything else. */
  closeAll(code: number, reason: string): Promise<void>;
}
