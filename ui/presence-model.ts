/**
 * "On the site now": the tabs open on the site and on each listed page, as frames carry them
 * (docs/protocol.md, "Presence"). Pure.
 */
import type { PageList, Stats } from "../src/core/wire/protocol.ts";

/** The tabs open on the site (or the view's page) now; null where the frames do not say (an older server, a view presence cannot narrow). */
export function presentNow(stats: Pick<Stats, "present">): number | null {
  return stats.present ?? null;
}

/**
 * The pages list's rows, each with the tabs open on its page now (0 when the entry names none),
 * where the frames carry presence; as they are otherwise.
 */
export function withPresentRows<Row extends { present?: number }>(rows: Row[], stats: Pick<Stats, "pages" | "present">): Row[] {
  if (stats.present === undefined) return rows;
  const pages: PageList = stats.pages;
  return rows.map((row, i) => ({ ...row, present: pages[i]?.[2] ?? 0 }));
}

/** What a page's "now" cell says to a screen reader. */
export function presentLabel(present: number): string {
  return `${present} ${present === 1 ? "tab" : "tabs"} open on this page now`;
}
