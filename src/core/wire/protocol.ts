/**
 * The wire protocol between the server and dashboards: every frame is one JSON text message.
 * docs/protocol.md is the prose version of this file; keep them in step.
 */
import type { ViewFilters, ViewWindow } from "./view-filters.ts";

/** A ranked list of [label, count] pairs, largest count first, at most TOP_LIST_SIZE long. */
export type TopList = Array<[label: string, count: number]>;

/** The pages list: a TopList whose entries may carry the tabs present on the page now. */
export type PageList = Array<[label: string, count: number, present?: number]>;

/** Counts in fixed-width time buckets, oldest first; the newest bucket starts at `last` (epoch ms). */
export interface Series {
  step: number;
  last: number;
  counts: number[];
}

export interface VisitorCounts {
  /** Distinct visitors seen in the last 5 minutes ("current visitors"). */
  last5m: number;
  /** Distinct visitors seen in the last 30 minutes. */
  last30m: number;
  /** True once the site has more visitors than the server tracks individually; counts are then lower bounds. */
  capped: boolean;
}

/** The realtime figures of one site. A tick frame carries only the sections that changed. */
export interface Stats {
  visitors: VisitorCounts;
  /** Pageviews per minute, 30 buckets. */
  perMinute: Series;
  /** Pageviews per second, 60 buckets. */
  perSecond: Series;
  /**
   * Current visitors (last 5 minutes) by the page they are on; where the frame carries `present`,
   * each entry's third item is the tabs present on that page now (docs/protocol.md, "Presence").
   */
  pages: PageList;
  /** Visitors of the last 30 minutes by the source of their visit ("Direct / None" without one). */
  sources: TopList;
  browsers: TopList;
  os: TopList;
  /** Visitors of the last 30 minutes by device class: Desktop, Mobile, Tablet, TV, Unknown. */
  devices: TopList;
  /** Visitors of the last 30 minutes by ISO 3166 country code ("Unknown" without one). */
  countries: TopList;
  /** Custom events of the last 30 minutes by name. */
  events: TopList;
  /*
   * The sections below are optional: servers before them do not send them. Each counts the last
   * 30 minutes, as `events` does, with "(other)" for labels past the server's cap.
   */
  /** Pageviews whose URL named a campaign (a visit arriving by a tagged link), by utm_source. */
  utmSources?: TopList;
  /** The same pageviews by utm_medium. */
  utmMediums?: TopList;
  /** The same pageviews by utm_campaign. */
  utmCampaigns?: TopList;
  /** "Outbound Link: Click" events by their `url` property: clicks by destination. */
  outboundLinks?: TopList;
  /** "File Download" events by their `url` property: downloads by file. */
  downloads?: TopList;
  /**
   * For each custom event name in `events` that had properties: its most counted properties as
   * ["key=value", count], at most EVENT_PROP_VALUES of them (an event counts once per property).
   */
  eventProps?: Record<string, TopList>;
  /**
   * Pageviews in the window (the last 30 minutes, or the view's W), counted in 30 buckets of 2 × W
   * seconds. Optional: servers before it do not send it (a client then sums `perMinute`).
   */
  pageviews?: number;
  /**
   * Tabs with a page of the site open now (docs/protocol.md, "Presence"); in a view narrowed to a
   * page alone, the tabs on that page. Absent in a view with any other filter, which presence
   * cannot narrow, and from servers before it.
   */
  present?: number;
}

export type StatsSection = keyof Stats;

/** One pageview or custom event, as shown in the live feed. Short keys keep frames small. */
export interface FeedItem {
  /** Time received, epoch ms. */
  t: number;
  /** Event name: "pageview" or a custom event name. */
  n: string;
  /** Path of the page (no query string, no fragment unless the site uses hash routing). */
  p: string;
  /** Referrer source of the visit. */
  s: string;
  /** Device class. */
  d: string;
  /** Browser name. */
  b: string;
  /** Operating system name. */
  o: string;
  /** ISO 3166 country code, or "Unknown". */
  c: string;
  /** Custom properties, for custom events only. */
  props?: Record<string, string>;
}

/** First frame on a site socket: everything a dashboard needs to draw itself. */
export interface SnapshotFrame {
  type: "snapshot";
  site: string;
  /** A filtered view's filters, in canonical form (see view-filters.ts); absent for the whole site. */
  filters?: ViewFilters;
  /** The view's window in minutes, 1 or 5; absent for 30 (see Stats for what it changes). */
  window?: ViewWindow;
  /** Sequence number of the last tick folded into this snapshot; tick frames continue from seq + 1. */
  seq: number;
  /**
   * Names the sequence `seq` counts in; 0 (with seq 0) while the site has published nothing. A
   * site's sequence starts again at 1 under a new epoch when the server forgets the idle site and
   * sees it again, or when another process (a restart, another worker) answers. Compare for
   * equality only.
   */
  epoch: number;
  time: number;
  stats: Stats;
  /** The most recent feed items, oldest first. */
  feed: FeedItem[];
}

/** Published once per tick to a site's topic when anything about the site changed. */
export interface TickFrame {
  type: "tick";
  site: string;
  /** As in SnapshotFrame: the view this tick belongs to. */
  filters?: ViewFilters;
  window?: ViewWindow;
  /** 1 for a sequence's first tick, which carries every Stats section: a complete baseline. */
  seq: number;
  /** The sequence this tick belongs to (see SnapshotFrame.epoch). */
  epoch: number;
  time: number;
  changed: Partial<Stats>;
  /** This tick's pageviews and events, oldest first, at most FEED_ITEMS_PER_TICK. */
  feed: FeedItem[];
  /** How many of this tick's pageviews and events did not fit in `feed`. */
  more: number;
}

export interface SiteSummary {
  site: string;
  /** Current visitors (last 5 minutes). */
  visitors: number;
  /** Pageviews in the last 30 minutes. */
  pageviews: number;
  /**
   * Pageviews in each of the last SITE_LIST_MINUTES minutes, oldest first; the newest is the
   * minute that holds the frame's `time`. Left out for the quietest sites when the list would not
   * fit in a frame otherwise.
   */
  minutes?: number[];
}

/** The site list: sent on connect to /ws without a site, then published whenever it changes. */
export interface SitesFrame {
  type: "sites";
  time: number;
  /** Busiest first, at most SITE_LIST_SIZE entries. */
  sites: SiteSummary[];
  /** How many sites did not fit in `sites`. */
  more: number;
}

/**
 * The answer to a rewind command, sent to the socket that asked and no other: its view (the site,
 * filters and window it watches) as it was at `at`, built from the hits the server still holds.
 */
export interface RewindFrame {
  type: "rewind";
  site: string;
  filters?: ViewFilters;
  window?: ViewWindow;
  /** The moment shown (epoch ms): the command's, brought within the last REWIND_MS. */
  at: number;
  /** The time of the oldest hit the server still holds for the site: figures whose window starts before it are partial. */
  from: number;
  /** The figures as at `at`, over the view's window ending there. */
  stats: Stats;
  /** The last feed items at or before `at`, oldest first, at most SNAPSHOT_FEED_ITEMS. */
  feed: FeedItem[];
}

/** The frames every socket may get; a RewindFrame only ever answers the socket's own rewind command. */
export type ServerFrame = SnapshotFrame | TickFrame | SitesFrame;

/** Watch a site, or a view of it, and get its snapshot (again, for the same view). */
export interface WatchCommand {
  type: "watch";
  site: string;
  /** Narrows the view to hits that match every filter; absent or empty for the whole site. */
  filters?: ViewFilters;
  /** The view's window in minutes: 1, 5 or 30 (absent). */
  window?: ViewWindow;
}

/** Ask for the watched view as it was at `at` (epoch ms); answered by one RewindFrame. */
export interface RewindCommand {
  type: "rewind";
  at: number;
}

/** What a dashboard may send. */
export type ClientCommand = WatchCommand | RewindCommand;

/** How far back a rewind goes; an earlier `at` is brought to now - REWIND_MS. */
export const REWIND_MS = 30 * 60_000;

export const TOP_LIST_SIZE = 10;
/** The properties `eventProps` shows per custom event. */
export const EVENT_PROP_VALUES = 5;
/**
 * 40 items a second at the default tick: more than anyone reads in a live feed. Each item is sent
 * to every dashboard, so this cap is most of a busy site's frame size and of the bandwidth of its
 * dashboards (see docs/benchmarks.md#feed_items_per_tick).
 */
export const FEED_ITEMS_PER_TICK = 10;
export const SNAPSHOT_FEED_ITEMS = 50;
export const SITE_LIST_SIZE = 100;
/** The minutes of a site's sparkline in the site list. */
export const SITE_LIST_MINUTES = 10;
/** uWebSockets writes smaller messages corked and larger ones socket by socket: stay under it. */
export const MAX_FRAME_BYTES = 15 * 1024;

/** WebSocket close codes the server uses (see docs/protocol.md). */
export const CloseCode = {
  /** Server shutting down or restarting: reconnect. */
  GoingAway: 1001,
  /** The dashboard sent something that is not a command: do not retry the same thing. */
  PolicyViolation: 1008,
  /** The dashboard sent a message over 1 KiB (uWebSockets closes with it): do not retry the same thing. */
  MessageTooBig: 1009,
  /** The site already has MAX_VIEWS_PER_SITE filtered views watched: retry later, or watch fewer filters. */
  TryAgainLater: 1013,
} as const;
