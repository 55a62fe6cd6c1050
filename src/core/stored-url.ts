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

/** What a page URL may hold beyond its origin and path: a user name and password, a query, a fragment. */
const BEYOND_PATH = /[@?#]/;

/** The page URL as stored: never the user name and password a URL may hold; the query only with `keepQuery`. */
export function storedPageUrl(url: URL, hashMode: boolean, keepQuery: boolean): string {
  // Nearly every page URL holds nothing to drop: it is stored as it is, without building another.
  const href = url.href;
  if (!BEYOND_PATH.test(href)) return href;
  const page = url.origin + url.pathname;
  if (keepQuery) return page + url.search + url.hash;
  return hashMode ? page + url.hash : page;
}

const QUERY_OR_FRAGMENT = /[?#]/;

/** The referrer as stored: without its query and fragment unless `keepQuery`. */
export function storedReferrer(referrer: string, keepQuery: boolean): string {
  if (keepQuery) return referrer;
  const end = referrer.search(QUERY_OR_FRAGMENT);
  return end === -1 ? referrer : referrer.slice(0, end);
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
