import type { DashboardData } from "../../core/fanout/dashboards.ts";
import { normalizeSite } from "../../core/ingest/event-input.ts";
import { isFilterError, viewFromQuery } from "../../core/wire/view-filters.ts";
import type { Metrics } from "../../core/metrics.ts";
import { isAllowedOrigin, serverOrigin } from "../origin.ts";
import type { SocketAdmission } from "../../core/fanout/socket-admission.ts";
import { isAuthorized, maySee, type AccessPolicy } from "../request-facts.ts";
import { jsonError } from "../responses.ts";

export interface SocketDeps {
  policy: AccessPolicy;
  allowOrigins: readonly string[];
  trustProxy: boolean;
  metrics: Metrics;
  admission: SocketAdmission | undefined;
}

/** Dashboards reconnect on their own; this only slows down clients that read the header. */
const RETRY_AFTER_FULL_S = 30;

/**
 * GET /ws: every check happens before the upgrade, so a refused dashboard costs one HTTP response.
 * Undefined means upgraded.
 */
export function socketRoute(
  request: Request,
  url: URL,
  address: string,
  upgrade: (data: DashboardData) => boolean,
  deps: SocketDeps,
): Response | undefined {
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    deps.metrics.dashboardsRejected++;
    return jsonError(status, message, headers);
  };
  if (request.method !== "GET") return refuse(405, "dashboard sockets are opened with GET", { allow: "GET" });
  const own = serverOrigin(url, request.headers, deps.trustProxy);
  if (!isAllowedOrigin(request.headers.get("origin"), own, deps.allowOrigins)) {
    return refuse(403, "origin not allowed: dashboards connect from the server's own pages or an --allow-origin");
  }
  const siteParam = url.searchParams.get("site");
  const site = siteParam === null ? null : normalizeSite(siteParam);
  if (siteParam !== null && site === null) return refuse(400, "site must be a host name such as example.com");
  const view = viewFromQuery(url.searchParams);
  if (isFilterError(view)) return refuse(400, view.error);
  if (site === null && view.key !== "") {
    return refuse(400, view.window === undefined ? "filters need a site: /ws?site=<domain>&<filter>=<value>" : "a window needs a site: /ws?site=<domain>&window=<minutes>");
  }
  if (!maySee(request, deps.policy, site)) return refuse(401, "this dashboard needs the access token");

  const authorized = isAuthorized(request, deps.policy);
  const refusal = deps.admission?.admit(address, authorized);
  if (refusal) return refuse(refusal.status, refusal.message, refusal.status === 503 ? { "retry-after": String(RETRY_AFTER_FULL_S) } : {});
  const data: DashboardData = { site, authorized, ...(view.key === "" ? {} : { view }), ...(!authorized && deps.admission?.countsAddresses ? { address } : {}) };
  if (upgrade(data)) return undefined;
  deps.admission?.release(address, authorized);
  return refuse(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
}
