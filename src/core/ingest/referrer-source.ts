import type { Campaign } from "./accepted-event.ts";
import { Memo } from "./memo.ts";
import { clipLabel, MAX_LABEL_CHARS } from "./text.ts";

export const DIRECT = "Direct / None";

/**
 * Well-known referrers under the names people search for. Plausible uses the larger
 * referer-parser data set; the few dozen sources that make up nearly all traffic fit here without a
 * dependency, and any other host is shown as itself.
 */
const KNOWN_SOURCES: Array<[pattern: RegExp, name: string]> = [
  [/(^|\.)google\.[a-z.]+$/, "Google"],
  [/(^|\.)bing\.com$/, "Bing"],
  [/(^|\.)duckduckgo\.com$/, "DuckDuckGo"],
  [/(^|\.)yahoo\.[a-z.]+$/, "Yahoo!"],
  [/(^|\.)yandex\.[a-z.]+$/, "Yandex"],
  [/(^|\.)baidu\.com$/, "Baidu"],
  [/(^|\.)ecosia\.org$/, "Ecosia"],
  [/(^|\.)search\.brave\.com$/, "Brave"],
  [/(^|\.)(t\.co|twitter\.com|x\.com)$/, "Twitter"],
  [/(^|\.)(facebook\.com|fb\.me)$/, "Facebook"],
  [/(^|\.)instagram\.com$/, "Instagram"],
  [/(^|\.)(linkedin\.com|lnkd\.in)$/, "LinkedIn"],
  [/(^|\.)reddit\.com$/, "Reddit"],
  [/^news\.ycombinator\.com$/, "Hacker News"],
  [/(^|\.)(youtube\.com|youtu\.be)$/, "YouTube"],
  [/(^|\.)github\.com$/, "GitHub"],
  [/(^|\.)(pinterest\.[a-z.]+|pin\.it)$/, "Pinterest"],
  [/(^|\.)bsky\.app$/, "Bluesky"],
  [/(^|\.)mastodon\.social$/, "Mastodon"],
  [/(^|\.)chatgpt\.com$/, "ChatGPT"],
  [/(^|\.)perplexity\.ai$/, "Perplexity"],
  [/(^|\.)wikipedia\.org$/, "Wikipedia"],
];

/** Each host's source, so the patterns run once per host rather than once per pageview. */
const sourceByHost = new Memo(5000, (host) => KNOWN_SOURCES.find(([pattern]) => pattern.test(host))?.[1] ?? host);
/**
 * Each referrer URL's host without `www.`-like noise, or "" when it is not an http(s) URL: parsing
 * a URL costs more than the rest of this. Referrer URLs repeat (most are a search engine's or a
 * site's front page); longer ones than this are not kept, so the memo stays under about 2 MB.
 */
const hostByReferrer = new Memo(5000, parseReferrerHost);
const MAX_REMEMBERED_REFERRER_CHARS = 200;

/**
 * The source of a visit, as a label (clipped, without invisible characters): what the landing
 * URL's campaign names (`utm_source`, else `ref` or `source`; see campaignOf), else the
 * referrer's host under a friendly name, else "Direct / None". A referrer from the same site is a
 * navigation within it, not a source.
 */
export function referrerSource(referrer: string, page: URL, campaign: Campaign | undefined): string {
  if (campaign) {
    // A value is a label; one of invisible characters only names nothing.
    const named = clipLabel(campaign.source, MAX_LABEL_CHARS) || clipLabel(campaign.ref, MAX_LABEL_CHARS);
    if (named) return named;
  }
  if (!referrer) return DIRECT;
  const host = referrerHost(referrer);
  if (!host || isSameSite(host, page.hostname)) return DIRECT;
  return sourceByHost.get(host);
}

/** Whether a referrer's host (noise stripped) is the page's own. A URL's hostname is already lower case. */
function isSameSite(host: string, pageHost: string): boolean {
  // Stripping removes a prefix, so only a page host ending in `host` can match: most referrers fail here, without the pattern.
  return pageHost.endsWith(host) && host === stripSubdomainNoise(pageHost);
}

function referrerHost(referrer: string): string {
  return referrer.length > MAX_REMEMBERED_REFERRER_CHARS ? parseReferrerHost(referrer) : hostByReferrer.get(referrer);
}

function parseReferrerHost(referrer: string): string {
  try {
    const url = new URL(referrer);
    if (url.protocol !== "http:" && url.protocol !== "https:") return "";
    return stripSubdomainNoise(url.hostname.toLowerCase());
  } catch {
    return "";
  }
}

function stripSubdomainNoise(host: string): string {
  return host.replace(/^(www\d*|m|l|lm|mobile)\./, "");
}
