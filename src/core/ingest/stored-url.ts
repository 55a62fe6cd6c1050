import type { Campaign } from "./accepted-event.ts";
import { cleanText } from "./text.ts";

/**
 * What is kept of the URLs an event names. A query string can carry anything a site put there
 * (password-reset and sign-in tokens, e-mail addresses, search terms), and so can a fragment, so by
 * default Pulse keeps what analytics needs, as Plausible does: the page's origin and path (with its
 * fragment for hash-routed sites, where the fragment is the route), the campaign parameters in
 * their own fields, and a referrer without its query and fragment.
 */

/**
 * Whether a query string holds a campaign parameter (Plausible's UTM tags, `ref`, `source`): a
 * test of the string costs a fraction of building its URLSearchParams, which most queries skip.
 */
const NAMES_A_CAMPAIGN = /[?&](?:utm_(?:source|medium|campaign|content|term)|ref|source)=/;

/**
 * What a page URL may hold beyond its origin and path: a user name and password, a query, a
 * fragment, path parameters, a query escaped into the path.
 */
const BEYOND_PATH = /[@?#;]|%3f/i;

/**
 * The page URL as stored: never the user name and password a URL may hold; the query only with
 * `keepQuery`. `pagePath` is the page it is counted under (pagePathOf), read once for both.
 */
export function storedPageUrl(url: URL, pagePath: string, keepQuery: boolean): string {
  // Nearly every page URL holds nothing to drop: it is stored as it is, without building another.
  const href = url.href;
  if (!BEYOND_PATH.test(href)) return href;
  if (keepQuery) return url.origin + url.pathname + url.search + url.hash;
  return url.origin + pagePath;
}

/**
 * The page an event is counted under: the path, and for hash-routed sites the route the fragment
 * names (`#wines/11`, `#/cart`, `#!/cart`), each without what a query would hold. The tracker marks
 * an event hash-routed only when its fragment is a route, not an in-page anchor; a fragment of
 * parameters (`#access_token=…`, a sign-in's answer) is never part of the page.
 */
export function pagePathOf(url: URL, hashMode: boolean): string {
  const path = withoutParameters(url.pathname) || "/";
  return hashMode ? path + routeOf(url.hash) : path;
}

/** A name and `=` before any `/` or `?`: parameters, where a route's own query (`#/search?q=…`) comes after. */
const PARAMETERS = /^#[^/?]*=/;

function routeOf(hash: string): string {
  if (hash.length < 2 || PARAMETERS.test(hash)) return "";
  const query = hash.indexOf("?");
  return withoutParameters(query === -1 ? hash : hash.slice(0, query));
}

const MAY_HOLD_PARAMETERS = /;|%3f/i;
const ESCAPED_QUERY = /%3f/i;
/**
 * A path parameter with a value (`;jsessionid=…`, `;v=1`): servers put session ids there, as
 * others do in a query. A `;` without `=` is left, as ordinary text of a path.
 */
const PATH_PARAMETERS = /;[^/;=]*=[^/]*/g;

/**
 * A path without its parameters, and cut where it holds an escaped `?`: a link that escaped its
 * query (a redirect gone wrong) carries it in the path, and a real page name rarely holds one.
 */
function withoutParameters(path: string): string {
  if (!MAY_HOLD_PARAMETERS.test(path)) return path;
  const query = path.search(ESCAPED_QUERY);
  return (query === -1 ? path : path.slice(0, query)).replace(PATH_PARAMETERS, "");
}

const QUERY_OR_FRAGMENT = /[?#]/;
/** The user name and password of a URL with an authority (`scheme://user:password@host`). */
const USER_INFO = /^((?:[a-z][a-z0-9+.-]*:)?\/\/)[^/?#\\]*@/i;

/**
 * The referrer as stored: never a user name and password; without its query and fragment unless
 * `keepQuery`; cleaned as labels are (the referrer is the raw text a client sent, not a parsed URL).
 */
export function storedReferrer(referrer: string, keepQuery: boolean): string {
  const end = keepQuery ? -1 : referrer.search(QUERY_OR_FRAGMENT);
  const kept = end === -1 ? referrer : referrer.slice(0, end);
  return cleanText(kept.includes("@") ? kept.replace(USER_INFO, "$1") : kept);
}

/**
 * The campaign a landing URL names, or undefined when it names none (nearly every pageview). Its
 * values are cleaned of control, bidi and invisible characters, not cut.
 */
export function campaignOf(url: URL): Campaign | undefined {
  const search = url.search;
  if (!search || !NAMES_A_CAMPAIGN.test(search)) return undefined;
  const params = url.searchParams;
  // Each get costs a few hundred nanoseconds: only for the names the query holds. The values are
  // shown too (in exports): cleaned as labels are, so a bidi override cannot make them read otherwise.
  const read = (name: string) => (hasParam(search, name) ? cleanText(params.get(name) ?? "") : "");
  return {
    source: read("utm_source"),
    medium: read("utm_medium"),
    campaign: read("utm_campaign"),
    content: read("utm_content"),
    term: read("utm_term"),
    ref: read("ref") || read("source"),
  };
}

/** Whether a query string names the parameter (spelled plainly, as links do). */
function hasParam(search: string, name: string): boolean {
  const probe = `${name}=`;
  for (let at = search.indexOf(probe); at > 0; at = search.indexOf(probe, at + 1)) {
    const before = search[at - 1];
    if (before === "?" || before === "&") return true;
  }
  return false;
}

/** The campaign named by a URL as stored by versions that kept the query string; undefined if none. */
export function campaignOfStoredUrl(href: string): Campaign | undefined {
  if (!href.includes("?")) return undefined;
  try {
    return campaignOf(new URL(href));
  } catch {
    return undefined;
  }
}
