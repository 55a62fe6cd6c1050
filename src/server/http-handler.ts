import type { DashboardData } from "../core/fanout/dashboards.ts";
import type { LiveData } from "../core/presence/live-widgets.ts";
import type { Hub } from "../core/stats/hub.ts";
import type { Ingestor } from "../core/ingest/ingest.ts";
import type { Metrics } from "../core/metrics.ts";
import { RateLimiter } from "../core/ingest/rate-limiter.ts";
import type { SocketAdmission } from "../core/fanout/socket-admission.ts";
import { normalizeSite } from "../core/ingest/event-input.ts";
import { serverOrigin } from "./origin.ts";
import type { ExportSource } from "../storage/event-store.ts";
import { clientAddress, isAuthorized, maySee, type AccessPolicy } from "./request-facts.ts";
import { jsonError } from "./responses.ts";
import { dashboardPage } from "./routes/dashboard-page.ts";
import { createExportRoute, EXPORT_STALL_MS, MAX_CONCURRENT_EXPORTS } from "./routes/export-route.ts";
import { EVENTS_PER_ADDRESS_WHILE_OVERLOADED, ingestHeaders, ingestRoute, PRESENCE_SIGNALS } from "./routes/ingest-route.ts";
import { signInRoute } from "./routes/sign-in.ts";
import { socketRoute } from "./routes/socket-route.ts";
import { liveRoute, type LiveRouteDeps } from "./routes/live-route.ts";
import { NOSNIFF } from "./security-headers.ts";
import type { StaticAssets } from "./static-assets.ts";
import { trackerVariant } from "./tracker-variants.ts";
import type { ClusterFigures } from "../control/control-plane.ts";
import { fetchReply, type Reply } from "./transport.ts";

/** What the transport provides for one request. */
export interface Peer {
  /** The socket's remote address. */
  address: string;
  /**
   * Lifts the transport's idle timeout from this request's connection, for a response that takes
   * long to stream and watches its client itself (an export). Absent where there is none.
   */
  keepOpen?(): void;
  /** Upgrades the request to a dashboard or live-widget socket; false if it is not a WebSocket request. */
  upgrade(data: DashboardData | LiveData): boolean;
}

export interface HttpDeps {
  ingestor: Ingestor;
  hub: Hub;
  store: ExportSource;
  metrics: Metrics;
  assets: StaticAssets;
  policy: AccessPolicy;
  allowOrigins: readonly string[];
  trustProxy: boolean;
  rateLimiter?: RateLimiter;
  /** Which dashboards may open: per-address cap and open-file reserve. */
  admission?: SocketAdmission;
  /** Which live widgets may open (GET /live); without it, none. */
  live?: LiveRouteDeps;
  now?: () => number;
  /** Told of every request as it is answered (see LoopTurns): under a flood, it keeps the tick going. */
  onRequest?: (time: number) => void;
  /** True while ingest must answer 503: events accepted now could not be passed on (see EventBus.congested). */
  overloaded?: () => boolean;
  /** True while ingest must answer every address 503 (see EventBus.full). */
  full?: () => boolean;
  /** With --workers: which worker this is, told in an x-pulse-worker header on every response (for operators and tests). */
  workerId?: number;
  /** With --workers: every process's figures added up, when the primary has sent them; else this process's. */
  clusterMetrics?: () => ClusterFigures | undefined;
  /** The transport's builder of ingest's plain answers, when not the Fetch Response (see Reply). */
  reply?: Reply;
}

export type FetchHandler = (request: Request, peer: Peer) => Promise<Response | undefined> | Response | undefined;

/**
 * Every route, plus ingest on its own: a transport that can route a path natively sends
 * /api/event straight there, skipping the general dispatch on the hottest path.
 */
export interface HttpHandler extends FetchHandler {
  ingest(request: Request, socketAddress: string): Promise<Response>;
  /** POST /api/presence, as hot as ingest (a heartbeat per open tab). */
  presence(request: Request, socketAddress: string): Promise<Response>;
}

const UNAUTHORIZED = "this needs the access token: Authorization: Bearer <token>";

/** Every HTTP route as `(Request, Peer) -> Response`, so tests need no server. Undefined means upgraded. */
export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const now = deps.now ?? Date.now;
  const { policy } = deps;
  const workerHeader: Record<string, string> = deps.workerId === undefined ? {} : { "x-pulse-worker": String(deps.workerId) };
  const ingest = {
    ingestor: deps.ingestor,
    metrics: deps.metrics,
    rateLimiter: deps.rateLimiter,
    now,
    onRequest: deps.onRequest,
    overloaded: deps.overloaded,
    full: deps.full,
    overloadLimiter: new RateLimiter(EVENTS_PER_ADDRESS_WHILE_OVERLOADED),
    ...ingestHeaders(workerHeader),
    reply: deps.reply ?? fetchReply,
  };
  const ingestFrom = (request: Request, socketAddress: string) =>
    ingestRoute(request, clientAddress(request, socketAddress, deps.trustProxy), ingest);
  const presenceFrom = (request: Request, socketAddress: string) =>
    ingestRoute(request, clientAddress(request, socketAddress, deps.trustProxy), ingest, PRESENCE_SIGNALS);
  const exportRoute = createExportRoute(deps.store, MAX_CONCURRENT_EXPORTS, EXPORT_STALL_MS, now);
  const sockets = { policy, allowOrigins: deps.allowOrigins, trustProxy: deps.trustProxy, metrics: deps.metrics, admission: deps.admission };

  // The hot path first, without parsing the URL (ingest needs only the path), and without an
  // async wrapper: its promise is handed on as it is, not awaited into another.
  const handle: FetchHandler = (request, peer) => {
    const path = pathOf(request.url);
    if (path === "/api/event") return ingestFrom(request, peer.address);
    // A widget reconnects with every page a visitor opens: answered without an async wrapper too.
    if (path === "/live") return liveFrom(request, peer);
    return handleOther(request, peer);
  };

  const live = deps.live ?? { liveSites: [], allowOrigins: [], admission: undefined };
  const liveFrom = (request: Request, peer: Peer): Response | undefined => {
    deps.onRequest?.(now());
    const url = requestUrl(request);
    if (url instanceof Response) return url;
    const response = liveRoute(request, url, () => clientAddress(request, peer.address, deps.trustProxy), peer.upgrade, live);
    response?.headers.set("x-content-type-options", NOSNIFF);
    return response;
  };

  const handleOther = async (request: Request, peer: Peer): Promise<Response | undefined> => {
    deps.onRequest?.(now());
    const response = await route(request, peer);
    response?.headers.set("x-content-type-options", NOSNIFF);
    return response;
  };

  const route = async (request: Request, peer: Peer): Promise<Response | undefined> => {
    const url = requestUrl(request);
    if (url instanceof Response) return url;
    const address = () => clientAddress(request, peer.address, deps.trustProxy);
    switch (url.pathname) {
      case "/api/presence":
        return presenceFrom(request, peer.address);
      case "/ws":
        return socketRoute(request, url, address(), peer.upgrade, sockets);
      case "/healthz":
        return health();
      case "/sign-in":
        return signInRoute(request, {
          token: policy.token,
          ownOrigin: serverOrigin(url, request.headers, deps.trustProxy),
          secure: isSecure(request, url, deps.trustProxy),
        });
    }
    if (request.method !== "GET" && request.method !== "HEAD") return jsonError(405, `use GET for ${url.pathname}`, { allow: "GET, HEAD" });
    switch (url.pathname) {
      case "/":
      case "/index.html":
        return dashboardPage(request, url, deps.assets, policy, isSecure(request, url, deps.trustProxy));
      case "/api/export":
        return isAuthorized(request, policy) ? exportRoute(url, peer) : jsonError(401, UNAUTHORIZED);
      case "/api/realtime":
        return realtime(request, url);
      case "/metrics":
        if (!policy.metricsPublic && !isAuthorized(request, policy)) return jsonError(401, UNAUTHORIZED);
        return new Response(renderMetrics(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
    }
    // Every name of the tracker's variants is one of a few scripts, or a 404 that says which names there are.
    const tracker = trackerVariant(url.pathname);
    if (tracker && "error" in tracker) return jsonError(404, tracker.error);
    const asset = deps.assets.serve(tracker?.path ?? assetPath(url.pathname, deps.assets), request);
    return asset ?? jsonError(404, `no route for ${request.method} ${url.pathname}`);
  };

  const id = workerHeader["x-pulse-worker"];
  if (id === undefined) return Object.assign(handle, { ingest: ingestFrom, presence: presenceFrom });
  // Ingest's answers carry the header already (built once); everything else gets it here.
  const tagged: FetchHandler = async (request, peer) => {
    const response = await handle(request, peer);
    if (response && !response.headers.has("x-pulse-worker")) response.headers.set("x-pulse-worker", id);
    return response;
  };
  return Object.assign(tagged, { ingest: ingestFrom, presence: presenceFrom });

  /**
   * ok, or 503 with the reason while storage fails: a monitor or load balancer learns that events
   * are accepted but not yet written. With workers, the primary's state arrives with the figures.
   */
  function health(): Response {
    const { storageFault, storagePending } = deps.clusterMetrics?.()?.metrics ?? deps.metrics;
    const headers = { "content-type": "text/plain" };
    if (!storageFault) return new Response("ok\n", { headers });
    const waiting = storagePending > 0 ? `; ${storagePending} accepted events wait to be written` : "";
    return new Response(`${storageFault}${waiting}\n`, { status: 503, headers });
  }

  function renderMetrics(): string {
    const sites = deps.hub.siteCount();
    const cluster = deps.clusterMetrics?.();
    if (cluster) return cluster.metrics.render({ sites, residentBytes: cluster.residentBytes, processes: cluster.processes });
    return deps.metrics.render({ sites, residentBytes: process.memoryUsage.rss() });
  }

  /** GET /api/realtime?site=: the figures a dashboard shows, as JSON for scripts. */
  function realtime(request: Request, url: URL): Response {
    const site = normalizeSite(url.searchParams.get("site") ?? "");
    if (!site) return jsonError(400, "site is required, e.g. ?site=example.com");
    if (!maySee(request, policy, site)) return jsonError(401, UNAUTHORIZED);
    const time = now();
    return Response.json({ site, time, stats: deps.hub.stats(site, time) });
  }
}

/**
 * The request's URL, or a 400: a Host header that makes no URL (empty, "a b", a port past 65535;
 * or none, in HTTP/1.0) leaves Bun a request.url that does not parse, the client's mistake, not a 500.
 */
function requestUrl(request: Request): URL | Response {
  return URL.parse(request.url) ?? jsonError(400, "the Host header or the request target is not valid");
}

/** The path of an absolute URL (`http://host/path?query` → `/path`), by position. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.indexOf("?", start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

/** The demo single-page app answers every /demo/ route it has no file for. */
function assetPath(pathname: string, assets: StaticAssets): string {
  if (pathname === "/demo" || (pathname.startsWith("/demo/") && !assets.has(pathname))) return "/demo/index.html";
  return pathname;
}

function isSecure(request: Request, url: URL, trustProxy: boolean): boolean {
  return url.protocol === "https:" || (trustProxy && request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https");
}
