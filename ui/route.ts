/** Which page the URL asks for, and where its socket is. Pure: takes the location's parts. */
import { normalizeSite } from "../src/core/ingest/event-input.ts";

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

export function socketUrl(location: { protocol: string; host: string }, site: string | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = site === null ? "" : `?site=${encodeURIComponent(site)}`;
  return `${scheme}//${location.host}/ws${query}`;
}
