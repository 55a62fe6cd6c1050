/**
 * Folds server frames into the dashboard's view state. Pure: no DOM, no clock, no I/O,
 * so every rule here is tested without a browser (test/ui/view-model.test.ts).
 */
import type {
  FeedItem,
  ServerFrame,
  SiteSummary,
  SitesFrame,
  SnapshotFrame,
  Stats,
  TickFrame,
  WatchCommand,
} from "../src/core/wire/protocol.ts";
import type { ViewFilters } from "../src/core/wire/view-filters.ts";
import type { RewindFrame } from "./rewind-wire.ts";
import { DEFAULT_WINDOW, frameWindow, type ViewWindow } from "./view-window.ts";

/** How many feed items the dashboard keeps, newest first. */
export const FEED_LIMIT = 100;

/** A feed item with a key that stays the same while it scrolls down the list. */
export interface FeedEntry {
  key: number;
  item: FeedItem;
}

export interface ViewState {
  /** The site this page shows (from the URL); null on the site list. */
  site: string | null;
  /** The view of the site: its filters and the window its figures count, as asked for and then as the frames say. */
  filters: ViewFilters;
  window: ViewWindow;
  /** The server time the figures are of when they are an earlier moment's (a rewind); null while they follow the clock. */
  shownAt: number | null;
  /** True once a snapshot for `site` has arrived. */
  loaded: boolean;
  /** Sequence number of the last frame folded in, and the sequence it counts in (SnapshotFrame.epoch). */
  seq: number;
  epoch: number;
  /** A tick of a sequence we cannot join arrived: only a snapshot can bring the figures back in step. */
  needsSnapshot: boolean;
  /** Ticks since the last snapshot whose seq was not the previous seq + 1 (frames missed or repeated). */
  seqGaps: number;
  /** Server time minus client time when the latest frame arrived: add it to Date.now() to read the server's clock. */
  clockOffset: number;
  stats: Stats;
  /** Newest first, at most FEED_LIMIT. */
  feed: FeedEntry[];
  /** Pageviews and events since the last snapshot that the server counted but did not send (TickFrame.more). */
  feedSkipped: number;
  nextKey: number;
  /** null until the first sites frame. */
  sites: SiteSummary[] | null;
  sitesMore: number;
  /** Server times of the latest frames folded in, oldest first, since the last snapshot (see ui/freshness.ts). */
  frameTimes: number[];
}

/** How many frame times the view keeps: enough for a steady median of the interval between frames. */
export const FRAME_TIMES_KEPT = 16;

export function emptyStats(): Stats {
  const series = { step: 0, last: 0, counts: [] };
  return {
    visitors: { last5m: 0, last30m: 0, capped: false },
    perMinute: { ...series, step: 60_000 },
    perSecond: { ...series, step: 1_000 },
    pages: [],
    sources: [],
    browsers: [],
    os: [],
    devices: [],
    countries: [],
    events: [],
    utmSources: [],
    utmMediums: [],
    utmCampaigns: [],
    outboundLinks: [],
    downloads: [],
    eventProps: {},
  };
}

export function initialState(site: string | null, view: { filters?: ViewFilters; window?: ViewWindow } = {}): ViewState {
  return {
    site,
    filters: view.filters ?? {},
    window: view.window ?? DEFAULT_WINDOW,
    shownAt: null,
    loaded: false,
    seq: 0,
    epoch: 0,
    needsSnapshot: false,
    seqGaps: 0,
    clockOffset: 0,
    stats: emptyStats(),
    feed: [],
    feedSkipped: 0,
    nextKey: 0,
    sites: null,
    sitesMore: 0,
    frameTimes: [],
  };
}

/**
 * Returns the state after `frame`, or the same object when the frame does not concern this page
 * (so a caller can skip rendering). `receivedAt` is the client's clock when the frame arrived.
 */
export function applyFrame(state: ViewState, frame: ServerFrame, receivedAt: number = frame.time): ViewState {
  const next = foldFrame(state, frame, frame.time - receivedAt);
  if (next === state) return state;
  // A snapshot's time is that of the last tick, which may be long before a reconnect: the times start over.
  const frameTimes = frame.type === "snapshot" ? [frame.time] : state.frameTimes.concat(frame.time).slice(-FRAME_TIMES_KEPT);
  return { ...next, frameTimes };
}

function foldFrame(state: ViewState, frame: ServerFrame, clockOffset: number): ViewState {
  switch (frame.type) {
    case "sites":
      return applySites(state, frame, clockOffset);
    case "snapshot":
      return applySnapshot(state, frame, clockOffset);
    case "tick":
      return applyTick(state, frame, clockOffset);
    default:
      return state;
  }
}

function applySites(state: ViewState, frame: SitesFrame, clockOffset: number): ViewState {
  return { ...state, clockOffset, sites: frame.sites, sitesMore: frame.more };
}

function applySnapshot(state: ViewState, frame: SnapshotFrame, clockOffset: number): ViewState {
  if (state.site !== null && frame.site !== state.site) return state;
  const { entries, nextKey } = newestFirst(frame.feed, state.nextKey);
  return {
    ...state,
    site: frame.site,
    filters: frame.filters ?? {},
    window: frameWindow(frame),
    loaded: true,
    seq: frame.seq,
    epoch: frame.epoch,
    needsSnapshot: false,
    seqGaps: 0,
    clockOffset,
    stats: frame.stats,
    feed: entries.slice(0, FEED_LIMIT),
    feedSkipped: 0,
    nextKey,
  };
}

function applyTick(state: ViewState, frame: TickFrame, clockOffset: number): ViewState {
  if (frame.site !== state.site) return state;
  if (state.loaded && frame.epoch !== state.epoch) return newSequence(state, frame, clockOffset);
  // A tick the snapshot already holds: a dashboard that joins while a tick is being sent, shard by
  // shard, can get that tick after its snapshot.
  if (state.loaded && frame.seq <= state.seq) return state;
  // Applied even out of sequence: the changed sections are still the newest figures we have.
  const inSequence = state.loaded && frame.seq === state.seq + 1;
  const { entries, nextKey } = newestFirst(frame.feed, state.nextKey);
  return {
    ...state,
    seq: frame.seq,
    seqGaps: state.seqGaps + (inSequence ? 0 : 1),
    clockOffset,
    stats: mergeStats(state.stats, frame.changed),
    feed: entries.concat(state.feed).slice(0, FEED_LIMIT),
    feedSkipped: state.feedSkipped + frame.more,
    nextKey,
  };
}

/**
 * The server started the site's sequence over: it forgot the site while it was idle and saw it
 * again, or another process answers. The first tick of a sequence carries every section, so the
 * view starts over from it as from a snapshot; any later tick of a sequence we never joined
 * cannot be merged into what we have, and the view waits for a snapshot.
 */
function newSequence(state: ViewState, frame: TickFrame, clockOffset: number): ViewState {
  if (frame.seq !== 1) return state.needsSnapshot ? state : { ...state, needsSnapshot: true };
  const { entries, nextKey } = newestFirst(frame.feed, state.nextKey);
  return {
    ...state,
    seq: frame.seq,
    epoch: frame.epoch,
    needsSnapshot: false,
    seqGaps: 0,
    clockOffset,
    stats: mergeStats(emptyStats(), frame.changed),
    feed: entries.slice(0, FEED_LIMIT),
    feedSkipped: frame.more,
    nextKey,
  };
}

/** The command that asks the server for a fresh snapshot of the same view, once, when the view fell out of step. */
export function snapshotRequest(before: ViewState, after: ViewState): string | null {
  if (!after.needsSnapshot || before.needsSnapshot || after.site === null) return null;
  const filters = Object.keys(after.filters).length > 0 ? { filters: after.filters } : {};
  const window = after.window === DEFAULT_WINDOW ? {} : { window: after.window };
  return JSON.stringify({ type: "watch", site: after.site, ...filters, ...window } satisfies WatchCommand & { window?: number });
}

/**
 * The view as it was at an earlier moment, from the server's answer to a rewind: the same state
 * the live figures are drawn from, so both are drawn by the same code. `state` is the view it
 * stands in for (its site, connection and clock).
 */
export function applyRewind(state: ViewState, frame: RewindFrame): ViewState {
  const { entries, nextKey } = newestFirst(frame.feed, state.nextKey);
  return {
    ...state,
    loaded: true,
    window: frameWindow(frame),
    shownAt: frame.at,
    stats: frame.stats,
    feed: entries.slice(0, FEED_LIMIT),
    feedSkipped: 0,
    nextKey,
  };
}

function mergeStats(stats: Stats, changed: Partial<Stats>): Stats {
  const merged: Stats = { ...stats };
  // The changed sections, optional ones the state lacks so far (`present`) included.
  for (const key of Object.keys(changed) as Array<keyof Stats>) {
    const section = changed[key];
    // Assigning through a union-typed key needs the cast; the key and value come from the same Stats.
    if (section !== undefined) (merged as Record<keyof Stats, unknown>)[key] = section;
  }
  return merged;
}

/** Frames list feed items oldest first; the dashboard shows them newest first. */
function newestFirst(items: FeedItem[], firstKey: number): { entries: FeedEntry[]; nextKey: number } {
  const entries: FeedEntry[] = [];
  let key = firstKey;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item) entries.push({ key: key++, item });
  }
  return { entries, nextKey: key };
}
