import {
  MAX_FRAME_BYTES,
  type FeedItem,
  type SitesFrame,
  type SnapshotFrame,
  type Stats,
  type TickFrame,
  type TopList,
} from "./protocol.ts";
import { utf8Length } from "./text.ts";

/** Room kept for at least a few feed items when the figures alone are large. */
const FEED_RESERVE_BYTES = 2048;
/** Top-list lengths tried, in turn, when figures with long labels would not fit. */
const SHORTER_TOP_LISTS = [5, 3, 1, 0];

/** A tick frame no larger than `budget` bytes: feed items that do not fit are counted in `more`. */
export function encodeTickFrame(
  frame: Omit<TickFrame, "type" | "feed" | "more">,
  feed: readonly FeedItem[],
  more: number,
  budget = MAX_FRAME_BYTES,
): string {
  const changed = fitStats(frame.changed, budget);
  const head = { type: "tick", site: frame.site, seq: frame.seq, epoch: frame.epoch, time: frame.time, changed };
  const { items, dropped } = fitFeed(head, feed, "oldest", budget);
  return `${JSON.stringify(head).slice(0, -1)},"feed":[${items.join(",")}],"more":${more + dropped}}`;
}

/** A snapshot frame no larger than `budget` bytes: it keeps the newest feed items that fit. */
export function encodeSnapshotFrame(
  frame: Omit<SnapshotFrame, "type" | "feed">,
  feed: readonly FeedItem[],
  budget = MAX_FRAME_BYTES,
): string {
  const stats = fitStats(frame.stats, budget) as Stats;
  const head = { type: "snapshot", site: frame.site, seq: frame.seq, epoch: frame.epoch, time: frame.time, stats };
  const { items } = fitFeed(head, feed, "newest", budget);
  return `${JSON.stringify(head).slice(0, -1)},"feed":[${items.join(",")}]}`;
}

export function encodeSitesFrame(frame: Omit<SitesFrame, "type">, budget = MAX_FRAME_BYTES): string {
  let sites = frame.sites;
  let json = JSON.stringify({ type: "sites", ...frame });
  while (utf8Length(json) > budget && sites.length > 0) {
    sites = sites.slice(0, Math.floor(sites.length / 2));
    json = JSON.stringify({ type: "sites", time: frame.time, sites, more: frame.more + frame.sites.length - sites.length });
  }
  return json;
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

function fitStats(stats: Partial<Stats>, budget: number): Partial<Stats> {
  let fitted = stats;
  for (const length of SHORTER_TOP_LISTS) {
    if (utf8Length(JSON.stringify(fitted)) <= budget - FEED_RESERVE_BYTES) return fitted;
    fitted = Object.fromEntries(
      Object.entries(stats).map(([key, value]) => [key, isTopList(value) ? value.slice(0, length) : value]),
    ) as Partial<Stats>;
  }
  return fitted;
}

function isTopList(value: unknown): value is TopList {
  return Array.isArray(value);
}
