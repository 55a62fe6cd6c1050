/**
 * How fresh the figures on screen are: when the last event arrived, how often the server's frames
 * come, and whether the view follows the server at all. Pure: the view state and the client's clock in.
 */
import type { ConnectionState } from "./connection.ts";
import { clockTime, relativeTime } from "./format.ts";
import { describeConnection } from "./status.ts";
import type { ViewState } from "./view-model.ts";

export interface Freshness {
  /** For the badge's class: the connection's status, or "paused". */
  state: ConnectionState["status"] | "paused";
  /** The connection in words, e.g. "live", "reconnecting", "paused". */
  word: string;
  /** More words after it, e.g. "in 3s"; empty when none. */
  detail: string;
  /** "last event 2s ago", "no events yet"; null where there is no feed (the site list). */
  lastEvent: string | null;
  /** "updates every 0.25 s"; null until two frames came. */
  updates: string | null;
  /** "Disconnected — figures as of 14:02:11" while the figures on screen stop following the server; else null. */
  stale: string | null;
}

/**
 * `now` is the client's clock. `pausedAt`: the moment (server time) the viewer chose to show
 * instead of following the server; a paused view is not stale, its figures are that moment's by choice.
 */
export function freshness(view: ViewState, connection: ConnectionState, now: number, pausedAt: number | null = null): Freshness {
  const paused = pausedAt !== null;
  const { word, detail } = paused ? { word: "paused", detail: `at ${clockTime(pausedAt, true)}` } : describeConnection(connection, now);
  const interval = frameInterval(view.frameTimes);
  const lastFrame = view.frameTimes.at(-1);
  const following = connection.status === "open" || paused;
  return {
    state: paused ? "paused" : connection.status,
    word,
    detail,
    lastEvent: view.site === null ? null : lastEventText(view, now),
    updates: interval === null ? null : `updates every ${formatInterval(interval)}`,
    // The frame's time on the client's clock, which is what the viewer's watch shows.
    stale: following || lastFrame === undefined ? null : `Disconnected — figures as of ${clockTime(lastFrame - view.clockOffset, true)}`,
  };
}

function lastEventText(view: ViewState, now: number): string {
  const newest = view.feed[0];
  if (newest === undefined) return "no events yet";
  // A rewound view's events are aged from the moment it shows.
  const ago = relativeTime(newest.item.t, view.shownAt ?? now + view.clockOffset);
  return `last event ${ago === "now" ? "just now" : ago}`;
}

/**
 * The median interval between the frames received, in ms; null with fewer than two. The server
 * sends a site's frame only in ticks where something changed, so on a quiet site this is how
 * often its figures changed, never less than the server's tick.
 */
export function frameInterval(times: readonly number[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const middle = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[middle]! : (gaps[middle - 1]! + gaps[middle]!) / 2;
}

/** 250 -> "0.25 s", 1500 -> "1.5 s", 42_000 -> "42 s", 120_000 -> "2 min". */
export function formatInterval(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${Number(seconds.toFixed(2))} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
