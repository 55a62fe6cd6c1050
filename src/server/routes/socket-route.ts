import type { DashboardData } from "../../core/dashboards.ts";
import { normalizeSite } from "../../core/event-input.ts";
import type { Metrics } from "../../core/metrics.ts";
import { isAllowedOrigin, serverOrigin } from "../../core/origin.ts";
import type { ConnectionCounter } from "../../core/rate-limiter.ts";
import { isAuthorized, maySee, type AccessPolicy } from "../request-facts.ts";
import { jsonError } from "../responses.ts";

export interface SocketDeps {
  policy: AccessPolicy;
  allowOrigins: readonly string[];
  trustProxy: boolean;
  metrics: Metrics;
  dashboardsPerIp: ConnectionCounter | undefined;
}

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
  if (!maySee(request, deps.policy, site)) return refuse(401, "this dashboard needs the access token");

  const limiter = deps.dashboardsPerIp;
  if (limiter && !limiter.tryOpen(address)) return refuse(429, `more than ${limiter.limit} dashboards from one address`);
  const data: DashboardData = { site, authorized: isAuthorized(request, deps.policy), ...(limiter ? { address } : {}) };
  if (upgrade(data)) return undefined;
  if (limiter) limiter.close(address);
  return refuse(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
}
