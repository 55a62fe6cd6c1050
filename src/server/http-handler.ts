import type { DashboardData } from "../core/dashboards.ts";
import { MAX_BODY_BYTES, normalizeSite } from "../core/event-input.ts";
import { HttpError } from "../core/http-error.ts";
import type { Ingestor } from "../core/ingest.ts";
import { isAllowedOrigin, serverOrigin } from "../core/origin.ts";
import { errorResponse, INGEST_CORS_HEADERS, jsonError } from "./responses.ts";
import type { StaticAssets } from "./static-assets.ts";

/** What the transport provides for one request. */
export interface Peer {
  /** The socket's remote address. */
  address: string;
  /** Upgrades the request to a dashboard socket; false if it is not a WebSocket request. */
  upgrade(data: DashboardData): boolean;
}

export interface HttpDeps {
  ingestor: Ingestor;
  assets: StaticAssets;
  allowOrigins: readonly string[];
  trustProxy: boolean;
  now?: () => number;
}

export type FetchHandler = (request: Request, peer: Peer) => Promise<Response | undefined>;

/** Every HTTP route as `(Request, Peer) -> Response`, so tests need no server. Undefined means upgraded. */
export function createHttpHandler(deps: HttpDeps): FetchHandler {
  const now = deps.now ?? Date.now;

  return async (request, peer) => {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/api/event":
        return ingest(request, peer);
      case "/ws":
        return upgrade(request, url, peer);
      case "/healthz":
        return new Response("ok\n", { headers: { "content-type": "text/plain" } });
    }
    if (request.method === "GET" || request.method === "HEAD") {
      const asset = deps.assets.serve(assetPath(url.pathname, deps.assets), request);
      if (asset) return asset;
    }
    return jsonError(404, `no route for ${request.method} ${url.pathname}`);
  };

  async function ingest(request: Request, peer: Peer): Promise<Response> {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: INGEST_CORS_HEADERS });
    if (request.method !== "POST") {
      return jsonError(405, "use POST to send events", { ...INGEST_CORS_HEADERS, allow: "POST, OPTIONS" });
    }
    try {
      const body = await readBody(request);
      const result = deps.ingestor.ingest({
        body,
        userAgent: request.headers.get("user-agent") ?? "",
        ip: clientAddress(request, peer, deps.trustProxy),
        time: now(),
      });
      const headers: Record<string, string> = { ...INGEST_CORS_HEADERS, "content-type": "text/plain" };
      // Like Plausible: a dropped event is still a 202, so senders cannot probe the filters, but the header tells an operator why.
      if (result.accepted.length === 0 && result.dropped[0]) headers["x-pulse-dropped"] = result.dropped[0].reason;
      return new Response("ok", { status: 202, headers });
    } catch (error) {
      return errorResponse(error, INGEST_CORS_HEADERS);
    }
  }

  function upgrade(request: Request, url: URL, peer: Peer): Response | undefined {
    if (request.method !== "GET") return jsonError(405, "dashboard sockets are opened with GET", { allow: "GET" });
    const own = serverOrigin(url, request.headers, deps.trustProxy);
    if (!isAllowedOrigin(request.headers.get("origin"), own, deps.allowOrigins)) {
      return jsonError(403, "origin not allowed: dashboards connect from the server's own pages or an --allow-origin");
    }
    const siteParam = url.searchParams.get("site");
    let site: string | null = null;
    if (siteParam !== null) {
      site = normalizeSite(siteParam);
      if (!site) return jsonError(400, "site must be a host name such as example.com");
    }
    if (peer.upgrade({ site })) return undefined;
    return jsonError(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
  }
}

/** The dashboard lives at /, the demo single-page app answers every /demo/ route it has no file for. */
function assetPath(pathname: string, assets: StaticAssets): string {
  if (pathname === "/") return "/index.html";
  if (pathname === "/demo" || (pathname.startsWith("/demo/") && !assets.has(pathname))) return "/demo/index.html";
  return pathname;
}

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw new HttpError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  if (bytes.byteLength === 0) throw new HttpError(400, "body is empty: send a JSON event");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "body is not valid UTF-8");
  }
}

/**
 * The visitor's address, for the visitor hash only. Behind a trusted proxy it is the last
 * X-Forwarded-For entry: the address the proxy itself saw, which a client cannot forge.
 */
function clientAddress(request: Request, peer: Peer, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return peer.address;
}
