import { SNAPSHOT_FEED_ITEMS, type FeedItem } from "../wire/protocol.ts";
import type { ViewFilters } from "../wire/view-filters.ts";
import type { VisitorHit } from "./active-visitors.ts";
import type { HitLog } from "./hit-log.ts";
import { feedItemOf, type Hit, type SiteStats } from "./site-stats.ts";

/** Which logged hits a view is built from: those matching every filter, stamped in (from, to]. */
export interface LogRange {
  filters: ViewFilters;
  from: number;
  /** +Infinity for a live view (hits stamped later by another process's clock count too). */
  to: number;
}

/** What a visitor's matching hits leave behind: the labels of the first, the page and time of the last. */
interface Visit {
  id: number;
  first: VisitorHit;
  page: string;
  lastSeen: number;
  /** The place of the visitor's last hit among the matching hits. */
  last: number;
}

/**
 * A view's figures as if it had been open over the range, advanced to its end (to `from` plus the
 * window when the range is open-ended): its matching hits from the site's log, counted in one pass
 * that keeps one Visit per visitor, then each visitor loaded once in the order of their last hits. That ends where recording the hits one by one would, at a
 * fraction of the cost: most hits are a visitor's second or later. When the visitors' budget runs
 * out, the hits are recorded one by one instead, so that the sketch sees them as it would have.
 */
export function viewFromLog(log: HitLog, range: LogRange, newStats: () => SiteStats): SiteStats {
  const { filters, from, to } = range;
  const stats = newStats();
  const time = Math.min(to, from + stats.windowMs);
  const feed = new FeedRing();
  const visits = new Map<number, Visit>();
  let order = 0;
  log.replay(filters, from, to, (hit) => {
    if (stats.countHit(hit)) feed.add(hit);
    const visit = visits.get(hit.visitor);
    if (visit) {
      visit.page = hit.page;
      visit.lastSeen = hit.time;
      visit.last = order++;
    } else {
      const { page, source, browser, os, device, country } = hit;
      visits.set(hit.visitor, { id: hit.visitor, first: { page, source, browser, os, device, country }, page, lastSeen: hit.time, last: order++ });
    }
  });
  // In the order of their last hits: each `last` is a distinct place, so a slot per place sorts them in one pass.
  const byLastHit: Array<Visit | undefined> = new Array(order);
  for (const visit of visits.values()) byLastHit[visit.last] = visit;
  for (const visit of byLastHit) {
    if (visit && !stats.visitors.load(visit.id, visit.first, visit.page, visit.lastSeen)) return hitByHit(log, range, time, newStats, stats);
  }
  stats.seedFeed(feed.items());
  stats.advance(time);
  return stats;
}

function hitByHit(log: HitLog, range: LogRange, time: number, newStats: () => SiteStats, partial: SiteStats): SiteStats {
  partial.visitors.forgetAll();
  const stats = newStats();
  log.replay(range.filters, range.from, range.to, (hit) => stats.restore(hit));
  stats.advance(time);
  return stats;
}

/**
 * The newest feed items of a replay (the hits it counted, engagement aside), oldest first. A ring
 * of hits whose fields are overwritten: a copy per hit cost more than the figures.
 */
class FeedRing {
  private readonly hits: Hit[] = [];
  private next = 0;

  add(hit: Hit): void {
    let slot = this.hits[this.next];
    if (!slot) this.hits.push((slot = { ...hit, props: {} }));
    slot.time = hit.time;
    slot.visitor = hit.visitor;
    slot.name = hit.name;
    slot.page = hit.page;
    slot.source = hit.source;
    slot.browser = hit.browser;
    slot.os = hit.os;
    slot.device = hit.device;
    slot.country = hit.country;
    this.next = (this.next + 1) % SNAPSHOT_FEED_ITEMS;
  }

  items(): FeedItem[] {
    return [...this.hits.slice(this.next), ...this.hits.slice(0, this.next)].map(feedItemOf);
  }
}
