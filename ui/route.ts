/** Which page the URL asks for, and where its socket is. Pure: takes the location's parts. */

/** The site of `/?site=<domain>`, or null for the site list. */
export function siteFromSearch(search: string): string | null {
  const site = new URLSearchParams(search).get("site")?.trim();
  return site ? site : null;
}

export function siteHref(site: string): string {
  return `/?site=${encodeURIComponent(site)}`;
}

export function socketUrl(location: { protocol: string; host: string }, site: string | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = site === null ? "" : `?site=${encodeURIComponent(site)}`;
  return `${scheme}//${location.host}/ws${query}`;
}
