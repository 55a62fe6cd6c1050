import type { SocketAdmission } from "../../core/fanout/socket-admission.ts";
import { MAX_URL_LENGTH, normalizeSite } from "../../core/ingest/event-input.ts";
import { pagePathOf } from "../../core/ingest/stored-url.ts";
import { clipLabel, MAX_LABEL_CHARS } from "../../core/ingest/text.ts";
import type { LiveScope } from "../../core/presence/live-frames.ts";
import type { LiveData } from "../../core/presence/live-widgets.ts";
import { jsonError } from "../responses.ts";
import type { Metrics } from "../../core/metrics.ts";

export interface LiveRouteDeps {
  /** Sites with widgets (--live-site); "*" for every site. */
  liveSites: readonly string[];
  allowOrigins: readonly string[];
  admission: SocketAdmission | undefined;
  /** Counts the refusals. */
  metrics?: Metrics;
}

/** Widgets reconnect with backoff on their own; this only slows down clients that read the header. */
const RETRY_AFTER_FULL_S = 60;
const TAB = /^[A-Za-z0-9]{8,16}$/;
const SCOPES: readonly LiveScope[] = ["page", "site", "both"];
/** Segments of letters, digits, `-`, `_`, `~` and inner dots: no dot segment, nothing a URL would rewrite. */
const PLAIN_PATH = /^(?:\/[\w~-]+(?:\.[\w~-]+)*)*\/?$/;

/**
 * GET /live?site=&page=&scope=&tab=: a live widget's socket. Every check happens before the
 * upgrade, so a refused widget costs one HTTP response. Undefined means upgraded.
 */
export function liveRoute(request: Request, url: URL, addressOf: () => string, upgrade: (data: LiveData) => boolean, deps: LiveRouteDeps): Response | undefined {
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    if (deps.metrics) deps.metrics.widgetsRejected++;
    return jsonError(status, message, headers);
  };
  if (request.method !== "GET") return refuse(405, "live widget sockets are opened with GET", { allow: "GET" });
  const params = widgetParams(url.searchParams);
  if ("error" in params) return refuse(400, params.error);
  const { site } = params;
  if (!deps.liveSites.includes("*") && !deps.liveSites.includes(site)) return refuse(403, "live widget not enabled for this site");
  if (!isSiteOrigin(request.headers.get("origin"), site, deps.allowOrigins)) {
    return refuse(403, "origin not allowed: live widgets connect from the site's own pages (its domain and subdomains) or an --allow-origin");
  }
  // The client's address only where widgets are counted by it: asking the socket costs a system call.
  const counted = deps.admission?.countsAddresses === true;
  const address = counted ? addressOf() : "";
  const refusal = deps.admission?.admit(address, false);
  if (refusal) return refuse(refusal.status, refusal.message, refusal.status === 503 ? { "retry-after": String(RETRY_AFTER_FULL_S) } : {});
  const { site: name, page, scope, tab } = params;
  const data: LiveData = counted ? { kind: "live", site: name, page, scope, tab, address } : { kind: "live", site: name, page, scope, tab };
  if (upgrade(data)) return undefined;
  deps.admission?.release(address, false);
  return refuse(426, "expected a WebSocket upgrade", { upgrade: "websocket" });
}

type WidgetParams = Pick<LiveData, "site" | "page" | "scope" | "tab">;

function widgetParams(query: URLSearchParams): WidgetParams | { error: string } {
  const site = normalizeSite(query.get("site") ?? "");
  if (!site) return { error: "site is required, a host name such as example.com: /live?site=<domain>&page=<path>" };
  const pageParam = query.get("page");
  const page = pageParam === null ? null : widgetPage(pageParam);
  if (page === "") return { error: `page must be a path that starts with / (at most ${MAX_URL_LENGTH} characters)` };
  const scope = query.get("scope") ?? (page === null ? "site" : "page");
  if (!SCOPES.includes(scope as LiveScope)) return { error: "scope must be page, site or both" };
  if (page === null && scope !== "site") return { error: `scope ${scope} needs a page` };
  const tab = query.get("tab");
  if (tab !== null && !TAB.test(tab)) return { error: "tab must be 8 to 16 letters and digits" };
  // A widget that names no page holds its tab on the site's root page.
  return { site, page: page ?? "/", scope: scope as LiveScope, tab: tab ?? randomTab() };
}

/**
 * The page as ingest counts it (its path, without parameters, clipped as labels are); "" when it is
 * no path. The widget names a hash only when it is a route (as the tracker marks a hash-routed event).
 */
function widgetPage(page: string): string {
  if (!page.startsWith("/") || page.startsWith("//") || page.length > MAX_URL_LENGTH) return "";
  // Nearly every page is a plain path, already what it would become: no URL to build.
  if (page.length <= MAX_LABEL_CHARS && PLAIN_PATH.test(page)) return page;
  const url = URL.parse(page, "http://widget.invalid");
  return url ? clipLabel(pagePathOf(url, true), MAX_LABEL_CHARS) : "";
}

/**
 * A widget's page is on the site: an http(s) origin whose host is the site's domain or one of its
 * subdomains, on any port (unless the site's name has one); or an origin the operator allowed. Browsers always send Origin on a
 * WebSocket upgrade, so a missing one is refused.
 */
export function isSiteOrigin(origin: string | null, site: string, allowed: readonly string[]): boolean {
  // Parsed once: the origin normalized (as normalizeOrigin makes it) and its host come from one URL.
  const url = origin === null ? null : URL.parse(origin);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return false;
  if (allowed.includes(url.origin)) return true;
  // A site named with its port (localhost:8080) is that port's only.
  const host = site.includes(":") ? url.host : url.hostname;
  return host === site || host.endsWith(`.${site}`);
}

const TAB_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomTab(): string {
  let tab = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(12))) tab += TAB_ALPHABET[byte % TAB_ALPHABET.length];
  return tab;
}
