import type { Hit } from "../../src/core/stats/site-stats.ts";
import { filtersFromObject, viewOf, type CanonicalFilters, type CanonicalView, type ViewWindow } from "../../src/core/wire/view-filters.ts";

/** A French Firefox pageview of "/" at `time`; tests override what they look at. */
export function hitAt(visitor: number, time: number, fields: Partial<Hit> = {}): Hit {
  return { time, visitor, name: "pageview", page: "/", source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR", props: {}, ...fields };
}

/** The canonical view of valid filters over a window (30 when not given). */
export function viewOver(filters: Record<string, string>, window?: ViewWindow): CanonicalView {
  return viewOf(filtersFromObject(filters) as CanonicalFilters, window);
}
