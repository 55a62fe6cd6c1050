/**
 * The ranked lists and the map move at most once a second, and with them the tabs open now, which
 * the pages list counts page by page; the other numbers, the charts and the feed move with every
 * frame. Rows that re-sort four times a second cannot be read, and drawing them again was most of
 * what each frame cost the browser (docs/benchmarks.md, "Dashboard main thread"). Another view
 * (site, filters, window, sequence) or another moment (pause, rewind, live again) shows its own
 * lists at once. Pure: main.ts keeps the pace between draws.
 */
import type { Stats } from "../src/core/wire/protocol.ts";
import type { ViewState } from "./view-model.ts";

export const LIST_PACE_MS = 1000;

/** Draws follow the frames, give or take a screen refresh: lists this close to due are moved now, not a frame later. */
const DUE_EARLY_MS = 50;

/** The sections the lists and the map are drawn from, and the tabs open now, which the pages list counts page by page. */
const RANKED_SECTIONS = [
  "pages",
  "present",
  "sources",
  "browsers",
  "os",
  "devices",
  "countries",
  "events",
  "eventProps",
  "utmSources",
  "utmMediums",
  "utmCampaigns",
  "outboundLinks",
  "downloads",
] as const satisfies ReadonlyArray<keyof Stats>;

/** The view whose lists are on screen, and when they were put there (the caller's clock). */
export interface ListPace {
  listsOf: ViewState;
  at: number;
}

export interface PacedView {
  /** What to draw: `view`, with the lists of `pace.listsOf`. */
  view: ViewState;
  pace: ListPace;
  /** Milliseconds until the lists held back are due; null when the view's own lists are drawn. */
  dueIn: number | null;
}

export function paceLists(previous: ListPace | null, view: ViewState, now: number): PacedView {
  if (previous === null || !sameSequence(previous.listsOf, view) || now - previous.at >= LIST_PACE_MS - DUE_EARLY_MS) {
    return { view, pace: { listsOf: view, at: now }, dueIn: null };
  }
  const held = previous.listsOf.stats;
  if (RANKED_SECTIONS.every((section) => held[section] === view.stats[section])) return { view, pace: previous, dueIn: null };
  const stats: Record<string, unknown> = { ...view.stats };
  for (const section of RANKED_SECTIONS) {
    if (held[section] === undefined) delete stats[section];
    else stats[section] = held[section];
  }
  return { view: { ...view, stats: stats as unknown as Stats }, pace: previous, dueIn: previous.at + LIST_PACE_MS - now };
}

/**
 * Ticks of one sequence of one view at one moment. A snapshot brings its filters anew, so the
 * lists it carries are shown at once too.
 */
function sameSequence(a: ViewState, b: ViewState): boolean {
  return a.site === b.site && a.loaded === b.loaded && a.epoch === b.epoch && a.filters === b.filters && a.window === b.window && a.shownAt === b.shownAt;
}
