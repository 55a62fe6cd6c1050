import type { AcceptedEvent } from "../ingest/accepted-event.ts";
import { ActiveVisitors, type VisitorHit } from "./active-visitors.ts";
import { VisitorBudget } from "./visitor-budget.ts";
import { BucketSeries } from "./bucket-series.ts";
import { FEED_ITEMS_PER_TICK, SNAPSHOT_FEED_ITEMS, TOP_LIST_SIZE, type FeedItem, type Stats } from "../wire/protocol.ts";
import { cleanText, clipLabel, MAX_LABEL_CHARS } from "../ingest/text.ts";
import { WINDOW_BUCKETS, WindowedCounter, windowStep } from "./windowed-counter.ts";
import { DEFAULT_WINDOW, type ViewWindow } from "../wire/view-filters.ts";
import { HitBreakdowns } from "./hit-breakdowns.ts";
import type { Campaign } from "../ingest/accepted-event.ts";

export const PAGEVIEW = "pageview";
/** Plausible's script reports time on page as "engagement": it shows the visitor is still there, nothing more. */
export const ENGAGEMENT = "engagement";

/** One accepted pageview or custom event, with everything derived from the request. */
export interface Hit extends VisitorHit {
  time: number;
  visitor: number;
  name: string;
  props: Record<string, string>;
  /** The campaign the page's URL named (pageviews only; the event's own object, not a copy). */
  campaign?: Campaign | undefined;
}

export interface SiteLimits {
  /** Distinct custom event names in the 30-minute window; the rest count as "(other)". */
  maxEventNames: number;
}

export const DEFAULT_SITE_LIMITS: SiteLimits = { maxEventNames: 100 };

const MAX_FEED_PROPS = 10;
const MAX_FEED_PROP_CHARS = 60;

export function hitOf(event: AcceptedEvent): Hit {
  const { time, visitor, name, path, source, browser, os, device, country, props, campaign } = event;
  return { time, visitor, name, page: path, source, browser, os, device, country, props, campaign };
}

export function feedItemOf(hit: Hit): FeedItem {
  const item: FeedItem = { t: hit.time, n: hit.name, p: hit.page, s: hit.source, d: hit.device, b: hit.browser, o: hit.os, c: hit.country };
  const props = Object.entries(hit.props);
  if (hit.name !== PAGEVIEW && props.length > 0) {
    item.props = Object.fromEntries(
      props.slice(0, MAX_FEED_PROPS).map(([key, value]) => [clipLabel(key, MAX_FEED_PROP_CHARS), clipLabel(value, MAX_FEED_PROP_CHARS)]),
    );
  }
  return item;
}

export function clippedHit(hit: Hit): Hit {
  const clip = (label: string) => clipLabel(label, MAX_LABEL_CHARS);
  return {
    ...hit,
    props: cleanedProps(hit.props),
    name: clip(hit.name),
    page: clip(hit.page),
    source: clip(hit.source),
    browser: clip(hit.browser),
    os: clip(hit.os),
    device: clip(hit.device),
    country: clip(hit.country),
  };
}

/** Properties as ingest keeps them (cleaned, not cut): the breakdowns only cut them. */
function cleanedProps(props: Record<string, string>): Record<string, string> {
  let clean = true;
  for (const key in props) if (cleanText(key) !== key || cleanText(props[key]!) !== props[key]) clean = false;
  if (clean) return props;
  const cleaned: Record<string, string> = {};
  for (const key in props) {
    const name = cleanText(key);
    if (name !== "") cleaned[name] = cleanText(props[key]!);
  }
  return cleaned;
}

/**
 * The realtime state of one site, or of a view of it, over a window of W minutes (30 unless a
 * view chose 1 or 5): visitors "now" are those of the last min(5, W) minutes, and the lists,
 * events and pageviews cover the last W minutes. The charts (per minute, per second) are the same
 * whatever the window. Recording a hit is O(1); building Stats costs O(distinct labels),
 * which the visitor cap bounds, and never depends on how many hits arrived.
 */
export class SiteStats {
  readonly visitors: ActiveVisitors;
  readonly perSecond = new BucketSeries(1000, 60);
  readonly perMinute = new BucketSeries(60_000, 30);
  readonly events: WindowedCounter;
  readonly breakdowns: HitBreakdowns;
  /** Pageviews of the window, in 30 buckets of 2 × W seconds: the 30-minute window's are perMinute's own. */
  readonly pageviews: BucketSeries;

  /** Hits since the last tick, at most FEED_ITEMS_PER_TICK; `pendingMore` counts the rest. */
  private pending: FeedItem[] = [];
  private pendingMore = 0;
  /** The latest feed items up to the last tick, oldest first, for snapshots. */
  private recent: FeedItem[] = [];
  /** True when a hit arrived since the last tick. */
  dirty = false;

  constructor(
    readonly site: string,
    limits: SiteLimits = DEFAULT_SITE_LIMITS,
    budget = new VisitorBudget(Number.POSITIVE_INFINITY),
    windowMinutes: ViewWindow = DEFAULT_WINDOW,
  ) {
    const step = windowStep(windowMinutes);
    this.visitors = new ActiveVisitors(budget, windowMinutes);
    this.events = new WindowedCounter(step, WINDOW_BUCKETS, limits.maxEventNames);
    this.breakdowns = new HitBreakdowns(step);
    this.pageviews = windowMinutes === DEFAULT_WINDOW ? this.perMinute : new BucketSeries(step, WINDOW_BUCKETS);
  }

  record(hit: Hit): void {
    if (!this.count(hit)) return;
    // Building a feed item costs allocations; past the cap a hit is only counted.
    if (this.pending.length < FEED_ITEMS_PER_TICK) this.pending.push(feedItemOf(hit));
    else this.pendingMore++;
  }

  /**
   * Records a stored hit at start-up: the same figures as `record`, but the hit goes straight
   * into the snapshot feed (keeping the newest), not into the next tick's. Its labels are clipped
   * again, as events stored by older versions may hold any.
   */
  restore(stored: Hit): void {
    const hit = clippedHit(stored);
    if (!this.count(hit)) return;
    this.recent.push(feedItemOf(hit));
    if (this.recent.length >= 2 * SNAPSHOT_FEED_ITEMS) this.recent = this.recent.slice(-SNAPSHOT_FEED_ITEMS);
  }

  /** A view built from the log starts with the feed its hits make, oldest first. */
  seedFeed(items: readonly FeedItem[]): void {
    this.recent = items.slice(-SNAPSHOT_FEED_ITEMS);
  }

  /** Updates the figures; false for hits that only show the visitor is still there. */
  private count(hit: Hit): boolean {
    this.visitors.touch(hit.visitor, hit.time, hit);
    return this.countHit(hit);
  }

  /**
   * The hit's pageview or event counts, without its visitor: a view built from a site's hit log
   * loads its visitors once each (ActiveVisitors.load). False for hits that only show the visitor
   * is still there.
   */
  countHit(hit: Hit): boolean {
    this.dirty = true;
    if (hit.name === ENGAGEMENT) return false;
    if (hit.name === PAGEVIEW) {
      this.countPageviews(hit.time, 1);
      this.breakdowns.addPageview(hit.time, hit.campaign);
    } else {
      this.events.add(hit.time, hit.name);
      this.breakdowns.addEvent(hit.time, hit);
    }
    return true;
  }

  /**
   * `count` pageviews of the same second and no campaign, at once: a view built from the log counts
   * a second's pageviews with one call. Every figure of pageviews counts in whole seconds.
   */
  countPageviews(time: number, count: number): void {
    this.dirty = true;
    this.perSecond.add(time, count);
    this.perMinute.add(time, count);
    if (this.pageviews !== this.perMinute) this.pageviews.add(time, count);
  }

  /** Moves the windows to `time`; returns whether a figure a dashboard shows changed. */
  advance(time: number): boolean {
    const visitorsChanged = this.visitors.expire(time);
    const eventsChanged = this.events.advance(time);
    const breakdownsChanged = this.breakdowns.advance(time);
    // Series that merely slide are redrawn by dashboards on their own clock.
    this.perSecond.advance(time);
    const minuteDropped = this.perMinute.advance(time);
    // Pageviews that leave the window change a figure (`pageviews`), as events leaving it do.
    const pageviewsChanged = (this.pageviews === this.perMinute ? minuteDropped : this.pageviews.advance(time)) > 0;
    return pageviewsChanged || visitorsChanged || eventsChanged || breakdownsChanged;
  }

  stats(time: number): Stats {
    const v = this.visitors;
    const events = this.events.top(TOP_LIST_SIZE);
    return {
      visitors: { last5m: v.last5m(time), last30m: v.last30m(time), capped: v.capped },
      perMinute: this.perMinute.toSeries(time),
      perSecond: this.perSecond.toSeries(time),
      pages: v.pages.top(TOP_LIST_SIZE),
      sources: v.sources.top(TOP_LIST_SIZE),
      browsers: v.browsers.top(TOP_LIST_SIZE),
      os: v.os.top(TOP_LIST_SIZE),
      devices: v.devices.top(TOP_LIST_SIZE),
      countries: v.countries.top(TOP_LIST_SIZE),
      events,
      ...this.breakdowns.sections(events),
      pageviews: this.pageviewTotal(time),
    };
  }

  private pageviewTotal(time: number): number {
    this.pageviews.advance(time);
    return this.pageviews.total();
  }

  /** Hands over this tick's feed and folds it into the snapshot feed. */
  takePending(): { feed: FeedItem[]; more: number } {
    const taken = { feed: this.pending, more: this.pendingMore };
    if (taken.feed.length > 0 || this.recent.length > SNAPSHOT_FEED_ITEMS) {
      this.recent = this.recent.concat(taken.feed).slice(-SNAPSHOT_FEED_ITEMS);
      this.pending = [];
    }
    this.pendingMore = 0;
    this.dirty = false;
    return taken;
  }

  recentFeed(): readonly FeedItem[] {
    return this.recent;
  }

  /** Nothing left to show: the site can be forgotten. */
  isIdle(): boolean {
    return !this.dirty && this.visitors.tracked === 0 && !this.visitors.capped && this.perMinute.total() === 0 && this.events.labelCount === 0;
  }
}
