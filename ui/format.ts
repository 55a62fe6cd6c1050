/** Display helpers: shares for top lists, relative times, numbers. Pure. */
import type { PageList, TopList } from "../src/core/wire/protocol.ts";

export interface Share {
  /** What the row stands for, as the server names it (a country's code, a page's path): what a filter takes. */
  value: string;
  label: string;
  count: number;
  /** count / total, 0..1. */
  share: number;
  /** "42%", "<1%". */
  percent: string;
  /** Bar length relative to the largest entry, 0..1, so the top entry fills its row. */
  width: number;
}

/**
 * Shares of a top list. `total` is what the list is a part of (e.g. current visitors); the list is
 * cut at TOP_LIST_SIZE, so without it the shares are of the visible entries only.
 */
export function toShares(list: TopList | PageList, total?: number): Share[] {
  let listed = 0;
  let max = 0;
  for (const [, count] of list) {
    listed += count;
    max = Math.max(max, count);
  }
  // Counts can run ahead of the total between ticks; never show more than 100%.
  const whole = Math.max(total ?? 0, listed);
  return list.map(([label, count]) => {
    const share = whole > 0 ? count / whole : 0;
    return { value: label, label, count, share, percent: formatPercent(share), width: max > 0 ? count / max : 0 };
  });
}

/** A share bar's length in whole percent of its row: finer steps would not show, and each step is the row drawn again. */
export function barPercent(width: number): number {
  return Math.round(width * 100);
}

export function formatPercent(share: number): string {
  if (share <= 0) return "0%";
  if (share < 0.01) return "<1%";
  return `${Math.round(share * 100)}%`;
}

/** "now", "3s ago", "5m ago", "2h ago", "4d ago". Times a little in the future (clock skew) read "now". */
export function relativeTime(t: number, now: number): string {
  const seconds = Math.floor((now - t) / 1000);
  if (seconds < 1) return "now";
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

/**
 * A feed row's age: relativeTime with its seconds in tens, "now" under ten. Every age that reads
 * differently is a row drawn and laid out again: a busy feed's rows then all read "now", and a
 * quiet one's move every ten seconds rather than every second. The last event's age keeps its seconds.
 */
export function feedAge(t: number, now: number): string {
  const seconds = Math.floor((now - t) / 1000);
  if (seconds < 10) return "now";
  if (seconds < 60) return `${Math.floor(seconds / 10) * 10}s ago`;
  return relativeTime(t, now);
}

/** 999 -> "999", 1234 -> "1,234", 12345 -> "12.3k", 1234567 -> "1.2M". Locale-independent on purpose (tests, screenshots). */
export function formatNumber(n: number): string {
  const value = Math.round(n);
  const abs = Math.abs(value);
  if (abs >= 1_000_000) return `${trimZero((value / 1_000_000).toFixed(1))}M`;
  if (abs >= 10_000) return `${trimZero((value / 1_000).toFixed(1))}k`;
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** "14:05" or "14:05:09" in the viewer's time zone, for chart tooltips. */
export function clockTime(t: number, withSeconds: boolean): string {
  const date = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return withSeconds ? `${hm}:${pad(date.getSeconds())}` : hm;
}

/**
 * "14:05:09: 12 pageviews", a chart bar's tooltip: one string, so a bar whose time moved on
 * changes one text node, not three (every bar's, every second).
 */
export function barTitle(t: number, count: number, withSeconds: boolean): string {
  return `${clockTime(t, withSeconds)}: ${count} pageviews`;
}

/** The command that sends a first pageview to this server, for empty states. */
const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

export function curlCommand(origin: string, domain: string): string {
  const body = JSON.stringify({ name: "pageview", url: `https://${domain}/`, domain });
  // The domain comes from the URL: quote it so a crafted link cannot smuggle shell syntax into the command.
  // curl's own User-Agent is treated as a bot (answered 202, not counted), so present a browser's.
  return `curl -X POST ${origin}/api/event -A '${BROWSER_USER_AGENT}' -H 'Content-Type: application/json' -d '${body.replaceAll("'", "'\\''")}'`;
}

const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;

const labels = new Map<string, string>();

/** "FR" → "🇫🇷 France"; anything that is not a two-letter code is shown as it is. Kept: every feed row asks, every render. */
export function countryLabel(code: string): string {
  if (!isCountryCode(code)) return code;
  let label = labels.get(code);
  if (label === undefined) {
    const flag = String.fromCodePoint(...[...code].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
    label = `${flag} ${countryName(code)}`;
    labels.set(code, label); // at most 26 × 26 codes
  }
  return label;
}

export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code);
}

/** "FR" → "France"; a code Intl does not know, or anything else, is shown as it is. */
export function countryName(code: string): string {
  if (!isCountryCode(code)) return code;
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code; // an unassigned code
  }
}
