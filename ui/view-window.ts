/**
 * The window a view counts over: 1, 5 or 30 minutes (docs/protocol.md, "Windows"). It lives in the
 * URL as `window=5` beside the filters (absent for 30, so older links stay as they were), and every
 * figure on the page says which window it counts. Pure.
 */
import type { Stats } from "../src/core/wire/protocol.ts";
import { DEFAULT_WINDOW, VIEW_WINDOWS, type ViewWindow } from "../src/core/wire/view-filters.ts";

export { DEFAULT_WINDOW, VIEW_WINDOWS, type ViewWindow };

/** "Visitors now" are those of the last 5 minutes, or of the whole window when it is shorter. */
const NOW_MINUTES = 5;
/** The per-minute chart shows at least this many bars: one or two bars would say little. */
const MIN_CHART_MINUTES = 5;

/** Stats as the page reads them (older servers send no `pageviews`). */
export type WindowStats = Stats;

export function isViewWindow(value: unknown): value is ViewWindow {
  return (VIEW_WINDOWS as readonly unknown[]).includes(value);
}

/** The window a search string asks for; anything but 1 or 5 is the default. */
export function windowFromSearch(search: string): ViewWindow {
  const value = Number(new URLSearchParams(search).get("window"));
  return isViewWindow(value) ? value : DEFAULT_WINDOW;
}

/** The URL parameter for a window: none for the default. */
export function windowParams(window: ViewWindow): Array<["window", string]> {
  return window === DEFAULT_WINDOW ? [] : [["window", String(window)]];
}

/** The window a frame's figures count (a frame without one counts the default 30 minutes). */
export function frameWindow(frame: object): ViewWindow {
  const window = (frame as { window?: unknown }).window;
  return isViewWindow(window) ? window : DEFAULT_WINDOW;
}

export function nowMinutes(window: ViewWindow): number {
  return Math.min(NOW_MINUTES, window);
}

/** How many minutes the per-minute chart shows: the window, and never fewer than 5. */
export function chartMinutes(window: ViewWindow): number {
  return Math.max(MIN_CHART_MINUTES, window);
}

/** What the page writes beside each figure, so every number says what it counts. */
export interface WindowLabels {
  /** "last 5 min" */
  now: string;
  /** "last 30 min" */
  window: string;
  /** "Visitors now (last 5 min)" */
  visitorsNow: string;
  /** "Visitors, last 30 min" */
  visitors: string;
  /** "Pageviews, last 30 min" */
  pageviews: string;
  /** The per-minute chart's span: "30 min ago". */
  chartSince: string;
  /** The window switch's button: "Last 5 minutes". */
  choice: string;
}

export function windowLabels(window: ViewWindow): WindowLabels {
  const now = `last ${nowMinutes(window)} min`;
  const last = `last ${window} min`;
  return {
    now,
    window: last,
    visitorsNow: `Visitors now (${now})`,
    visitors: `Visitors, ${last}`,
    pageviews: `Pageviews, ${last}`,
    chartSince: `${chartMinutes(window)} min ago`,
    choice: `Last ${minutesText(window)}`,
  };
}

/** "1 minute", "30 minutes". */
export function minutesText(minutes: number): string {
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
