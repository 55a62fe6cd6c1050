import {
  MAX_FRAME_BYTES,
  type FeedItem,
  type RewindFrame,
  type SitesFrame,
  type SnapshotFrame,
  type Stats,
  type TickFrame,
  type TopList,
} from "./protocol.ts";
import { utf8Length } from "../ingest/text.ts";
import { DEFAULT_WINDOW, type ViewFilters, type ViewWindow } from "./view-filters.ts";

/** What a frame holds besides its figures and feed items: `,"feed":[]`, `,"more":N}`. */
const FEED_FRAMING_BYTES = 32;

/**
 * A tick frame no larger than `budget` bytes. What gives way first is the feed (items that do not
 * fit are counted in `more`), then the least useful top-list entries (see fitStats).
 */
export function encodeTickFrame(
  frame: Omit<TickFrame, "type" | "feed" | "more">,
  feed: readonly FeedItem[],
  more: number,
  budget = MAX_FRAME_BYTES,
): string {
  const head = { type: "tick", site: frame.site, ...viewOf(frame), seq: frame.seq, epoch: frame.epoch, time: frame.time, changed: {} };
  head.changed = fitStats(frame.changed, budget - utf8Length(JSON.stringify(head)) - FEED_FRAMING_BYTES);
  const { items, dropped } = fitFeed(head, feed, "oldest", budget);
  return `${JSON.stringify(head).slice(0, -1)},"feed":[${items.join(",")}],"more":${more + dropped}}`;
}

/** A snapshot frame no larger than `budget` bytes: it keeps the newest feed items that fit, as tick frames do. */
export function encodeSnapshotFrame(
  frame: Omit<SnapshotFrame, "type" | "feed">,
  feed: readonly FeedItem[],
  budget = MAX_FRAME_BYTES,
): string {
  const head = { type: "snapshot", site: frame.site, ...viewOf(frame), seq: frame.seq, epoch: frame.epoch, time: frame.time, stats: {} as Stats };
  head.stats = fitStats(frame.stats, budget - utf8Length(JSON.stringify(head)) - FEED_FRAMING_BYTES);
  const { items } = fitFeed(head, feed, "newest", budget);
  return `${JSON.stringify(head).slice(0, -1)},"feed":[${items.join(",")}]}`;
}

/** A rewind frame no larger than `budget` bytes, cut as a snapshot is: the newest feed items that fit, then the costliest list entries. */
export function encodeRewindFrame(frame: Omit<RewindFrame, "type" | "feed">, feed: readonly FeedItem[], budget = MAX_FRAME_BYTES): string {
  const head = { type: "rewind", site: frame.site, ...viewOf(frame), at: frame.at, from: frame.from, stats: {} as Stats };
  head.stats = fitStats(frame.stats, budget - utf8Length(JSON.stringify(head)) - FEED_FRAMING_BYTES);
  const { items } = fitFeed(head, feed, "newest", budget);
  return `${JSON.stringify(head).slice(0, -1)},"feed":[${items.join(",")}]}`;
}

/** A view's frames name its filters and its window; the whole site's frames over 30 minutes stay as they were. */
function viewOf(frame: { filters?: ViewFilters; window?: ViewWindow }): { filters?: ViewFilters; window?: ViewWindow } {
  const view: { filters?: ViewFilters; window?: ViewWindow } = {};
  if (frame.filters && Object.keys(frame.filters).length > 0) view.filters = frame.filters;
  if (frame.window !== undefined && frame.window !== DEFAULT_WINDOW) view.window = frame.window;
  return view;
}

/**
 * A sites frame no larger than `budget` bytes. Sparklines give way first, the quietest sites'
 * first (the list is busiest first), then the quietest sites, counted in `more`.
 */
export function encodeSitesFrame(frame: Omit<SitesFrame, "type">, budget = MAX_FRAME_BYTES): string {
  const head = `{"type":"sites","time":${JSON.stringify(frame.time)},"sites":[`;
  // `],"more":N}` with room for any count.
  const tail = 32;
  const encoded = frame.sites.map((site) => JSON.stringify(site));
  let size = utf8Length(head) + tail + encoded.reduce((total, site) => total + utf8Length(site) + 1, 0);
  for (let i = encoded.length - 1; i >= 0 && size > budget; i--) {
    const { minutes, ...withoutSparkline } = frame.sites[i]!;
    if (minutes === undefined) continue;
    const shorter = JSON.stringify(withoutSparkline);
    size -= utf8Length(encoded[i]!) - utf8Length(shorter);
    encoded[i] = shorter;
  }
  let kept = encoded.length;
  while (kept > 0 && size > budget) size -= utf8Length(encoded[--kept]!) + 1;
  const more = frame.more + frame.sites.length - kept;
  return `${head}${encoded.slice(0, kept).join(",")}],"more":${more}}`;
}

function fitFeed(head: object, feed: readonly FeedItem[], keep: "oldest" | "newest", budget: number) {
  // `,"feed":[]` and `,"more":N}` plus commas between items.
  let used = utf8Length(JSON.stringify(head)) + 32;
  const encoded = feed.map((item) => JSON.stringify(item));
  const order = keep === "oldest" ? encoded : [...encoded].reverse();
  const kept: string[] = [];
  for (const item of order) {
    const size = utf8Length(item) + 1;
    if (used + size > budget) break;
    kept.push(item);
    used += size;
  }
  const items = keep === "oldest" ? kept : kept.reverse();
  return { items, dropped: feed.length - items.length };
}

/**
 * Figures within `room` bytes of JSON. Labels are clipped long before this, so only figures made
 * of many long labels in characters that are costly in JSON come near it. Then top-list entries
 * go, the least useful for their size first: an entry weighs its size times its rank (1 for the
 * top), so one absurd label goes before any ordinary entry, and among alike entries the lists
 * lose their tails evenly (an event's properties in `eventProps` are lists like any other). Counts
 * and series always stay; whatever else fits stays too.
 */
function fitStats<S extends Partial<Stats>>(stats: S, room: number): S {
  let excess = utf8Length(JSON.stringify(stats)) - room;
  if (excess <= 0) return stats;
  const entries: Array<{ key: string; rank: number; size: number }> = [];
  for (const [key, list] of listsOf(stats)) {
    // `["label",count],` as JSON (a page's entry may carry its tabs present too).
    list.forEach((entry, rank) => entries.push({ key, rank, size: utf8Length(JSON.stringify(entry)) + 1 }));
  }
  entries.sort((a, b) => b.size * (b.rank + 1) - a.size * (a.rank + 1) || b.rank - a.rank);
  const shed = new Set<string>();
  for (const { key, rank, size } of entries) {
    if (excess <= 0) break;
    shed.add(`${key}\0${rank}`);
    excess -= size;
  }
  const kept = (key: string, list: TopList) => list.filter((_, rank) => !shed.has(`${key}\0${rank}`));
  return Object.fromEntries(
    Object.entries(stats).map(([key, value]) => {
      if (isTopList(value)) return [key, kept(key, value)];
      if (isListRecord(value)) return [key, Object.fromEntries(Object.entries(value).map(([name, list]) => [name, kept(`${key}\0${name}`, list)]))];
      return [key, value];
    }),
  ) as S;
}

/** Every top list of the figures, named: a section's own (`pages`), or one of a section of lists (`eventProps` per event). */
function* listsOf(stats: Partial<Stats>): Generator<[string, TopList]> {
  for (const [key, value] of Object.entries(stats)) {
    if (isTopList(value)) yield [key, value];
    else if (isListRecord(value)) for (const [name, list] of Object.entries(value)) yield [`${key}\0${name}`, list];
  }
}

function isTopList(value: unknown): value is TopList {
  return Array.isArray(value);
}

/** A section that holds a top list per name (eventProps); series and counts hold none. */
function isListRecord(value: unknown): value is Record<string, TopList> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every(isTopList);
}
