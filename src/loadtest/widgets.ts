/**
 * The pure parts of the load test's live widgets: where each socket goes (its page, its tab, its
 * URL), what a widget frame says, and whether every socket's last count is right at the end.
 */
import type { Destination } from "./targets.ts";

/** The page of widget `index` (counted over all workers) of `pages`: round robin, so pages differ by one socket at most. */
export function widgetPage(index: number, pages: number): string {
  return `/w/${index % pages}`;
}

/** Each of `workers` processes' widgets: an even share, the index its first widget has over all, and its share of the churn. */
export function widgetShares(widgets: number, workers: number, churn: number): Array<{ widgets: number; firstWidget: number; churn: number }> {
  const shares = [];
  let firstWidget = 0;
  for (let i = 0; i < workers; i++) {
    const share = Math.floor(widgets / workers) + (i < widgets % workers ? 1 : 0);
    shares.push({ widgets: share, firstWidget, churn: (churn * share) / widgets });
    firstWidget += share;
  }
  return shares;
}

/** A tab id unique over the run: the worker's index and a counter, letters and digits, 11 characters. */
export function widgetTab(worker: number, n: number): string {
  return `w${worker.toString(36).padStart(3, "0")}${n.toString(36).padStart(7, "0")}`;
}

/** The upgrade request of one widget, from its site's own origin as a browser on the site's pages sends it. */
export function widgetRequest(destination: Destination, site: string, page: string, tab: string): { url: string; headers: Record<string, string> } {
  const query = `site=${encodeURIComponent(site)}&page=${encodeURIComponent(page)}&scope=page&tab=${tab}`;
  return { url: `${destination.ws}/live?${query}`, headers: { Origin: `http://${site}` } };
}

const DIGIT_0 = 0x30;
const LETTER_P = 0x70;

/** The count of a page frame (`p12`), read from its bytes; null for any other frame. */
export function pageCount(bytes: Uint8Array): number | null {
  if (bytes.length < 2 || bytes.length > 12 || bytes[0] !== LETTER_P) return null;
  let count = 0;
  for (let i = 1; i < bytes.length; i++) {
    const digit = bytes[i]! - DIGIT_0;
    if (digit < 0 || digit > 9) return null;
    count = count * 10 + digit;
  }
  return count;
}

/**
 * What one worker's open widgets saw last, per page: how many are open there and how many last
 * received each count (-1: none yet). Small: a page's sockets agree on a count or nearly.
 */
export type WidgetTally = Record<string, { open: number; lastCounts: Record<string, number> }>;

export function tallyWidgets(sockets: Iterable<{ page: string; lastCount: number }>): WidgetTally {
  const tally: WidgetTally = {};
  for (const { page, lastCount } of sockets) {
    const entry = (tally[page] ??= { open: 0, lastCounts: {} });
    entry.open++;
    entry.lastCounts[lastCount] = (entry.lastCounts[lastCount] ?? 0) + 1;
  }
  return tally;
}

export interface WidgetCorrectness {
  /** Open widget sockets whose last count equals the widgets open on their page. */
  correct: number;
  open: number;
  /** A few pages whose sockets disagree, for the report: page, expected, counts seen. */
  wrong: Array<{ page: string; expected: number; seen: Record<string, number> }>;
}

/** The expected count of a page is every widget open on it, over all workers: each socket's last count must be that. */
export function checkWidgetCounts(tallies: readonly WidgetTally[], maxWrong = 5): WidgetCorrectness {
  const expected = new Map<string, number>();
  for (const tally of tallies) for (const [page, { open }] of Object.entries(tally)) expected.set(page, (expected.get(page) ?? 0) + open);
  const seen = new Map<string, Record<string, number>>();
  let correct = 0;
  let open = 0;
  for (const tally of tallies) {
    for (const [page, entry] of Object.entries(tally)) {
      open += entry.open;
      correct += entry.lastCounts[expected.get(page)!] ?? 0;
      const counts = (seen.get(page) ?? seen.set(page, {}).get(page))!;
      for (const [count, n] of Object.entries(entry.lastCounts)) counts[count] = (counts[count] ?? 0) + n;
    }
  }
  const wrong = [...seen]
    .filter(([page, counts]) => Object.keys(counts).some((count) => Number(count) !== expected.get(page)))
    .slice(0, maxWrong)
    .map(([page, counts]) => ({ page, expected: expected.get(page)!, seen: counts }));
  return { correct, open, wrong };
}

/** Sockets to close and reopen in a slice of `sliceMs` at `perSecond`, carrying the fraction left over to the next slice. */
export function churnDue(perSecond: number, sliceMs: number, carried: number): { now: number; carried: number } {
  const due = carried + (perSecond * sliceMs) / 1000;
  // Tenths added up fall short of a whole (0.3 × 10 = 2.999…): without the margin a second loses one.
  const now = Math.floor(due + 1e-9);
  return { now, carried: due - now };
}
