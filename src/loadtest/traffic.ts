/** Varied, realistic pageviews: paths, referrers and browsers a real site sees (never bot User-Agents). */
const PATHS = ["/", "/pricing", "/blog", "/blog/realtime-analytics", "/docs", "/docs/install", "/about", "/contact", "/shop", "/shop/cart"];
const REFERRERS = ["", "", "", "https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/x", "https://www.reddit.com/r/selfhosted/", "https://duckduckgo.com/"];
const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
];
const TIME_ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "America/Sao_Paulo", "Australia/Sydney"];
/** The countries of TIME_ZONES, in the same order. */
const COUNTRIES = ["FR", "US", "JP", "DE", "BR", "AU"];

/** Filtered views the pageviews below all fall into: a page each, then a country each. */
export const MAX_LOADTEST_VIEWS = PATHS.length + COUNTRIES.length;

/**
 * The socket URL's filter for view `view` of `views` (view 0 is the whole site: ""), so dashboards
 * spread over views that every tick's traffic changes, as filtered dashboards of a busy site would be.
 */
export function viewQuery(view: number, views: number): string {
  const filters = [...PATHS.map((path) => `page=${encodeURIComponent(path)}`), ...COUNTRIES.map((code) => `country=${code}`)];
  return view % (views + 1) === 0 ? "" : filters[(view % (views + 1)) - 1]!;
}

export interface Pageview {
  body: string;
  userAgent: string;
}

export function pageview(site: string, n: number): Pageview {
  const pick = <T>(list: readonly T[], salt: number) => list[(n * 7 + salt) % list.length]!;
  return {
    body: JSON.stringify({ n: "pageview", u: `https://${site}${pick(PATHS, 0)}`, d: site, r: pick(REFERRERS, 3) || null, tz: pick(TIME_ZONES, 5) }),
    userAgent: pick(USER_AGENTS, 1),
  };
}

/** A marker pageview: its path names it, so a dashboard can tell when it arrived. */
export function markerPageview(site: string, id: number): Pageview {
  return { body: JSON.stringify({ n: "pageview", u: `https://${site}/marker/${id}`, d: site }), userAgent: USER_AGENTS[0]! };
}

export const MARKER_PREFIX = "/marker/";
