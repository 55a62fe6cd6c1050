/**
 * The ranked lists and the map move at most once a second; the numbers, the charts and the feed
 * move with every frame. A list is drawn whole from one moment's figures: its rows, their shares
 * of that moment's visitors, and the tabs open then (which the pages list counts page by page).
 * Rows that re-sort four times a second cannot be read, and drawing them again was most of what
 * each frame cost the browser (docs/benchmarks.md, "Dashboard main thread"). Another view (site,
 * filters, window, sequence) or another moment (pause, rewind, live again) shows its own lists at
 * once. Pure: main.ts keeps the pace between draws.
 */
import type { Stats } from "../src/core/wire/protocol.ts";
import type { ViewState } from "./view-model.ts";

export const LIST_PACE_MS = 1000;

/** Draws follow the frames, give or take a screen refresh: lists this close to due are moved now, not a frame later. */
const DUE_EARLY_MS = 50;

/** The view whose figures the lists are drawn from, and when they were put on screen (the caller's clock). */
export interface ListPace {
  listsOf: ViewState;
  at: number;
  /** The view the last draw showed. */
  drawn: ViewState;
  /** True when that draw held lists that were due, so that the next moves them alone. */
  heldForFrame: boolean;
}

export interface PacedLists {
  /** The figures to draw the lists, the map and the tabs open now from. */
  lists: Stats;
  pace: ListPace;
  /** Milliseconds until lists held back are due (0: in a draw of their own, next); null when `view`'s own are drawn. */
  dueIn: number | null;
}

/**
 * Moving the lists is a draw's heaviest work: a draw that shows a new frame as well keeps them
 * once more, and they move in the next draw alone (the next animation frame), so that no draw
 * does both.
 */
export function paceLists(previous: ListPace | null, view: ViewState, now: number): PacedLists {
  const fresh = { lists: view.stats, pace: { listsOf: view, at: now, drawn: view, heldForFrame: false }, dueIn: null };
  if (previous === null || !sameSequence(previous.listsOf, view)) return fresh;
  const held = previous.listsOf.stats;
  const same = listedTheSame(held, view.stats);
  if (now - previous.at >= LIST_PACE_MS - DUE_EARLY_MS) {
    if (same || previous.heldForFrame || view === previous.drawn) return fresh;
    return { lists: held, pace: { ...previous, drawn: view, heldForFrame: true }, dueIn: 0 };
  }
  return { lists: held, pace: { ...previous, drawn: view }, dueIn: same ? null : previous.at + LIST_PACE_MS - now };
}

/** The sections the lists and the map are drawn from; a frame leaves those it did not change as they were. */
const LISTED_SECTIONS = [
  "pages",
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

/** Whether the lists, their shares and the tabs open now would be drawn the same from `a` as from `b`. */
function listedTheSame(a: Stats, b: Stats): boolean {
  return (
    a.visitors.last5m === b.visitors.last5m &&
    a.visitors.last30m === b.visitors.last30m &&
    a.present === b.present &&
    LISTED_SECTIONS.every((section) => a[section] === b[section])
  );
}

/**
 * Ticks of one sequence of one view at one moment. A snapshot brings its filters anew, so the
 * lists it carries are shown at once too.
 */
function sameSequence(a: ViewState, b: ViewState): boolean {
  return a.site === b.site && a.loaded === b.loaded && a.epoch === b.epoch && a.filters === b.filters && a.window === b.window && a.shownAt === b.shownAt;
}
