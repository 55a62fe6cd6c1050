import type { PageList, Stats } from "../wire/protocol.ts";
import type { ViewFilters } from "../wire/view-filters.ts";
import type { PresenceCounts } from "./presence-counts.ts";

/** Adds what presence shows to a topic's figures, as they are built for a frame. */
export type PresentFigures = (stats: Stats) => void;

/**
 * What presence adds to the figures of a site or a view of it, or undefined where it cannot say:
 * the whole site (any window) gets its tabs present (`present`) and each listed page its own (the
 * third item of a `pages` entry); a view narrowed to a page alone gets that page's tabs. Other
 * filters cannot narrow it, since presence knows a tab's page and nothing else of its visitor, so
 * a view with any other filter carries no `present` (docs/protocol.md, "Presence").
 */
export function presentFigures(counts: PresenceCounts, site: string, filters: ViewFilters = {}): PresentFigures | undefined {
  const dimensions = Object.keys(filters);
  if (dimensions.length === 0) {
    return (stats) => {
      stats.present = counts.siteCount(site);
      stats.pages = stats.pages.map(([page, visitors]) => withPresent(page, visitors, counts.pageCount(site, page)));
    };
  }
  const page = filters.page;
  if (dimensions.length > 1 || page === undefined) return undefined;
  return (stats) => {
    const present = counts.pageCount(site, page);
    stats.present = present;
    stats.pages = stats.pages.map(([listed, visitors]) => withPresent(listed, visitors, listed === page ? present : 0));
  };
}

/** A pages entry, with its tabs present only when there are any: most listed pages have none. */
function withPresent(page: string, visitors: number, present: number): PageList[number] {
  return present > 0 ? [page, visitors, present] : [page, visitors];
}
