/**
 * Pause and rewind on the wire (docs/protocol.md, "Rewind"): the page asks its view's socket for
 * the view as it was at a moment, and that socket alone gets the answer.
 */
import type { FeedItem } from "../src/core/wire/protocol.ts";
import type { ViewFilters } from "../src/core/wire/view-filters.ts";
import type { ViewWindow, WindowStats } from "./view-window.ts";

/** The server's answer to a rewind command: the view's figures and feed at `at`. */
export interface RewindFrame {
  type: "rewind";
  site: string;
  filters?: ViewFilters;
  window?: ViewWindow;
  /** The moment asked for (epoch ms, server clock), clamped to the last 30 minutes. */
  at: number;
  /** The oldest hit the server still holds for the site: a window reaching before it counts only part of its minutes. */
  from: number;
  stats: WindowStats;
  /** The latest items at or before `at`, oldest first. */
  feed: FeedItem[];
}

export function rewindCommand(at: number): string {
  return JSON.stringify({ type: "rewind", at });
}
