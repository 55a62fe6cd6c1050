/**
 * The all-sites wall: every site's visitors now with a sparkline of its last minutes, busiest
 * first (the server's order). Pure, like site-model.ts.
 */
import { SITE_LIST_MINUTES } from "../src/core/wire/protocol.ts";
import { formatNumber } from "./format.ts";
import { chartModel, type ChartModel } from "./site-model.ts";
import type { ViewState } from "./view-model.ts";

const MINUTE = 60_000;

export interface WallTile {
  site: string;
  visitors: number;
  /** "1,234". */
  visitorsText: string;
  /** Pageviews in the last 30 minutes. */
  pageviews: number;
  /** Pageviews per minute, the current minute last; null when the server left it out (a crowded list). */
  sparkline: ChartModel | null;
}

export interface WallModel {
  /** null until the first sites frame. */
  tiles: WallTile[] | null;
  /** Sites that did not fit in the list. */
  more: number;
}

/** `now` is the client's clock; the sparklines slide on the server's, as the charts do. */
export function wallModel(view: ViewState, now: number): WallModel {
  if (view.sites === null) return { tiles: null, more: view.sitesMore };
  // The newest minute of every sparkline is the one that held the frame's time.
  const frameTime = view.frameTimes.at(-1) ?? now + view.clockOffset;
  const last = Math.floor(frameTime / MINUTE) * MINUTE;
  const serverNow = now + view.clockOffset;
  return {
    tiles: view.sites.map((summary) => ({
      site: summary.site,
      visitors: summary.visitors,
      visitorsText: formatNumber(summary.visitors),
      pageviews: summary.pageviews,
      sparkline:
        summary.minutes === undefined ? null : chartModel({ step: MINUTE, last, counts: summary.minutes }, serverNow, SITE_LIST_MINUTES),
    })),
    more: view.sitesMore,
  };
}
