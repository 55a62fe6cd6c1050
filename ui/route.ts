/** Which page the URL asks for, and where its socket is. Pure: takes the location's parts. */
import { normalizeSite } from "../src/core/ingest/event-input.ts";
import { filterParams, type Filters } from "./filters.ts";
import { DEFAULT_WINDOW, windowParams, type ViewWindow } from "./view-window.ts";

/** The site list, one site (named as the server names it), or a `site` that names no site. */
export type Route = { site: string | null } | { invalidSite: string };

/** `/?site=<domain>`: lower-cased and trimmed as the server does, so frames for the site match it. */
export function routeFromSearch(search: string): Route {
  const value = new URLSearchParams(search).get("site")?.trim();
  if (!value) return { site: null };
  const site = normalizeSite(value);
  return site === null ? { invalidSite: value } : { site };
}

export function siteHref(site: string): string {
  return `/?site=${encodeURIComponent(site)}`;
}

/** The socket of a site's view over `window`, narrowed by `filters` (the server makes each view a topic of its own). */
export function socketUrl(
  location: { protocol: string; host: string },
  site: string | null,
  filters: Filters = {},
  window: ViewWindow = DEFAULT_WINDOW,
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = site === null ? "" : `?${new URLSearchParams([["site", site], ...windowParams(window), ...filterParams(filters)])}`;
  return `${scheme}//${location.host}/ws${query}`;
}
