import type { Campaign } from "./accepted-event.ts";

/**
 * What is kept of the URLs an event names. A query string can carry anything a site put there
 * (password-reset and sign-in tokens, e-mail addresses, search terms), and so can a fragment, so by
 * default Pulse keeps what analytics needs, as Plausible does: the page's origin and path (with its
 * fragment for hash-routed sites, where the fragment is the route), the campaign parameters in
 * their own fields, and a referrer without its query and fragment.
 */

/** The parameters kept from a landing URL's query string: Plausible's UTM tags, then `ref` and `source`. */
const CAMPAIGN_PARAMS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ref", "source"] as const;

/** The page URL as stored: never the user name and password a URL may hold; the query only with `keepQuery`. */
export function storedPageUrl(url: URL, hashMode: boolean, keepQuery: boolean): string {
  const page = url.origin + url.pathname;
  if (keepQuery) return page + url.search + url.hash;
  return hashMode ? page + url.hash : page;
}

/** The referrer as stored: without its query and fragment unless `keepQuery`. */
export function storedReferrer(referrer: string, keepQuery: boolean): string {
  if (keepQuery) return referrer;
  const end = referrer.search(/[?#]/);
  return end === -1 ? referrer : referrer.slice(0, end);
}

/** The campaign a landing URL names, or undefined when it names none (nearly every pageview). */
export function campaignOf(url: URL): Campaign | undefined {
  // Reading searchParams builds an object: only when there is a query to read.
  if (!url.search) return undefined;
  const params = url.searchParams;
  const [source, medium, campaign, content, term, ref, sourceParam] = CAMPAIGN_PARAMS.map((name) => params.get(name) ?? "");
  if (!(source || medium || campaign || content || term || ref || sourceParam)) return undefined;
  return { source: source!, medium: medium!, campaign: campaign!, content: content!, term: term!, ref: ref || sourceParam! };
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
