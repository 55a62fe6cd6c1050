import { encodeSitesFrame, encodeSnapshotFrame } from "../wire/frame-encoder.ts";
import { SITE_LIST_MINUTES, SITE_LIST_SIZE, type SiteSummary, type Stats } from "../wire/protocol.ts";
import type { AcceptedEvent } from "../ingest/accepted-event.ts";
import { ACTIVE_MS } from "./active-visitors.ts";
import { nextTick, publishedSnapshot, type Published } from "./frame-sequence.ts";
import { DEFAULT_SITE_LIMITS, hitOf, SiteStats, type Hit, type SiteLimits } from "./site-stats.ts";
import { DEFAULT_MAX_MEMORY_MB, VisitorBudget, visitorMemory } from "./visitor-budget.ts";
import { WaitingSites } from "./waiting-sites.ts";
import { HitLogPool } from "./hit-log.ts";
import { ALWAYS_WATCHED, SiteViews, type ViewOpening, type ViewWatchers } from "./site-views.ts";
import type { CanonicalView } from "../wire/view-filters.ts";
import { Presence } from "../presence/presence.ts";
import { presentFigures } from "../presence/present-figures.ts";

/** One frame for one topic: the transport sends it with a single publish. */
export interface Publication {
  topic: string;
  data: string;
}

export interface HubLimits extends SiteLimits {
  /**
   * Sites with live figures at once; further sites wait (their events are stored all the same) until
   * one goes idle, or until one shows more visitors than the live site with the fewest (see siteFor).
   */
  maxSites: number;
  /** Bytes for visitors tracked one by one, all sites together; past them new visitors are counted approximately. */
  visitorMemory: number;
  /** Bytes for all sites' hit logs, the history a new filtered view starts from (DEFAULT_HIT_LOG_MEMORY when not given). */
  hitLogMemory?: number;
  /** A new view of this many visitors or more loads them after its first snapshot (LOAD_AFTER_SNAPSHOT_FROM when not given). */
  loadAfterSnapshotFrom?: number;
}

/** The share of the live figures' memory given to hit logs rather than to visitors tracked one by one. */
export const HIT_LOG_SHARE = 0.25;
export const DEFAULT_HIT_LOG_MEMORY = 16 * 1024 * 1024;

export const DEFAULT_MAX_SITES = 100;

/** What fits in the default --max-memory with the default --max-sites. */
export const DEFAULT_HUB_LIMITS: HubLimits = {
  ...DEFAULT_SITE_LIMITS,
  maxSites: DEFAULT_MAX_SITES,
  visitorMemory: visitorMemory(DEFAULT_MAX_MEMORY_MB * 1024 * 1024, DEFAULT_MAX_SITES),
};

export const SITES_TOPIC = "sites";

export function siteTopic(site: string): string {
  return `site:${site}`;
}

/**
 * All sites' realtime state and the coalescing step. `record` only updates aggregates; `tick`
 * turns each site that changed into one frame for its topic. Nothing here knows about sockets.
 */
export class Hub {
  private readonly sites = new Map<string, SiteStats>();
  private readonly published = new Map<string, Published>();
  private sitesFrame = "";
  /** The site list as last published, without its timestamp, to publish only real changes. */
  private sitesKey = "";
  /** Visitors tracked one by one, shared by all sites. */
  readonly visitorBudget: VisitorBudget;
  /** Sites the cap keeps out, with their visitors since. */
  private readonly waiting = new WaitingSites();
  /** The live site with the fewest visitors at the last tick, while no site has taken a place since. */
  private leastVisited: { site: string; visitors: number } | undefined;
  /** The visitors a site showed while it waited for its place, until 30 minutes after it won it. */
  private readonly earned = new Map<string, { visitors: number; until: number }>();
  /** Sites that lost their place since the last tick: their dashboards are told once. */
  private readonly displaced: string[] = [];
  /** Each live site's hit log and filtered views; a site no longer live keeps them while it has views. */
  private readonly views = new Map<string, SiteViews>();
  readonly hitLogs: HitLogPool;
  /** The tabs open on each site now (docs/protocol.md, "Presence"): what the frames' `present` and the live widget show. */
  readonly presence = new Presence();

  constructor(
    private readonly limits: HubLimits = DEFAULT_HUB_LIMITS,
    private readonly watchers: ViewWatchers = ALWAYS_WATCHED,
  ) {
    this.visitorBudget = new VisitorBudget(limits.visitorMemory);
    this.hitLogs = new HitLogPool(limits.hitLogMemory ?? DEFAULT_HIT_LOG_MEMORY);
  }

  /** Records a hit for a site; false when the site cap keeps a new site out. */
  record(site: string, hit: Hit): boolean {
    const stats = this.siteFor(site, hit);
    if (!stats) return false;
    stats.record(hit);
    this.views.get(site)?.record(hit);
    return true;
  }

  /** The snapshot of a view of a site (filters, a window), opened (from the site's hit log) if new; refused past the cap. */
  openView(site: string, canonical: CanonicalView, time: number): ViewOpening {
    return this.viewsOf(site).open(canonical, time);
  }

  /** The logged hits a rewind of the view to `at` reads. */
  rewindCost(site: string, view: CanonicalView, at: number, now: number): number {
    return this.views.get(site)?.rewindCost(view, at, now) ?? 0;
  }

  /** A view of a site as it was at `at`, from the site's hit log: one encoded RewindFrame, for one socket. */
  rewind(site: string, view: CanonicalView, at: number, now: number): string {
    return this.viewsOf(site).rewind(view, at, now);
  }

  viewCount(site: string): number {
    return this.views.get(site)?.size ?? 0;
  }

  /** Views open over all sites. */
  viewTotal(): number {
    let total = 0;
    for (const views of this.views.values()) total += views.size;
    return total;
  }

  private viewsOf(site: string): SiteViews {
    let views = this.views.get(site);
    if (!views) this.views.set(site, (views = new SiteViews(site, this.limits, this.visitorBudget, this.hitLogs, this.presence, this.limits.loadAfterSnapshotFrom)));
    return views;
  }

  /**
   * Rebuilds the state from stored events (the last 30 minutes, in the order they were accepted),
   * then runs one tick without publishing, so the first snapshots show exactly what dashboards
   * showed before the restart.
   */
  restore(events: Iterable<AcceptedEvent>, time: number): number {
    let restored = 0;
    // Workers started together restore at slightly different instants but from the same events:
    // a restored sequence is named after its site's last event, so their frames stay identical.
    const lastEvent = new Map<string, number>();
    for (const event of events) {
      const hit = hitOf(event);
      const stats = this.siteFor(event.site, hit);
      if (!stats) continue;
      stats.restore(hit);
      this.views.get(event.site)?.restore(hit);
      lastEvent.set(event.site, event.time);
      restored++;
    }
    this.publishTick(time, (site) => lastEvent.get(site) ?? time);
    return restored;
  }

  /**
   * The live figures of a site, or undefined while the cap keeps it out. When the cap is full, a
   * site kept out takes the place of the live site that had the fewest visitors in the last 30
   * minutes at the last tick (the first of equals) once it has shown more distinct visitors than
   * that site has now; its figures start from that hit. One site at most changes places per tick,
   * so this costs O(1) per hit, the choice rides on the tick's pass over the sites, and it depends
   * only on the events in their order and the tick times: every worker makes the same.
   */
  private siteFor(site: string, hit: Hit): SiteStats | undefined {
    const stats = this.sites.get(site);
    if (stats) return stats;
    if (this.sites.size < this.limits.maxSites) return this.admit(site);
    const visitors = this.waiting.note(site, hit.visitor, hit.time);
    const least = this.leastVisited;
    if (!least) return undefined;
    const leastStats = this.sites.get(least.site);
    if (!leastStats || visitors <= this.standing(least.site, leastStats, hit.time)) return undefined;
    this.leastVisited = undefined;
    this.displace(least.site, leastStats);
    this.earned.set(site, { visitors, until: hit.time + ACTIVE_MS });
    return this.admit(site);
  }

  /**
   * A live site's distinct visitors in the last 30 minutes; a site that won its place counts those
   * it showed while waiting for 30 minutes (its figures start from the hit that won it).
   */
  private standing(site: string, stats: SiteStats, time: number): number {
    const live = stats.visitors.last30m(time);
    const earned = this.earned.get(site);
    if (!earned) return live;
    if (time < earned.until) return Math.max(live, earned.visitors);
    this.earned.delete(site);
    return live;
  }

  private admit(site: string): SiteStats {
    this.waiting.forget(site);
    const stats = new SiteStats(site, this.limits, this.visitorBudget);
    this.sites.set(site, stats);
    this.viewsOf(site);
    return stats;
  }

  private displace(site: string, stats: SiteStats): void {
    stats.visitors.forgetAll();
    this.views.get(site)?.reset();
    this.sites.delete(site);
    this.earned.delete(site);
    this.displaced.push(site);
  }

  hasSite(site: string): boolean {
    return this.sites.has(site);
  }

  get maxSites(): number {
    return this.limits.maxSites;
  }

  hasVisitor(site: string, visitor: number): boolean {
    return this.sites.get(site)?.visitors.has(visitor) ?? false;
  }

  /** One frame per changed site, plus the site list when it changed. Cost: O(sites) + O(changed sites' labels). */
  tick(time: number): Publication[] {
    // Every worker ticks at the primary's tick times: a sequence named after the tick that
    // started it has the same epoch in every worker that saw the same batches.
    return this.publishTick(time, () => time);
  }

  /** `epochOf` names the sequence of a site that starts publishing in this tick. */
  private publishTick(time: number, epochOf: (site: string) => number): Publication[] {
    const publications: Publication[] = [];
    let anyChanged = this.displaced.length > 0;
    for (const site of this.displaced.splice(0)) this.farewell(site, time, publications);
    this.waiting.expire(time);
    this.leastVisited = undefined;
    // However many signals moved a site's tabs since the last tick, it gets one frame.
    this.presence.advance(time);
    for (const site of this.presence.takeChangedSites()) {
      const stats = this.sites.get(site);
      if (stats) stats.dirty = true;
      this.views.get(site)?.presenceMoved();
    }
    for (const [site, stats] of this.sites) {
      const expired = stats.advance(time);
      if (expired || stats.dirty) {
        anyChanged = true;
        const frame = this.tickFrame(site, stats, time, epochOf);
        if (frame) publications.push({ topic: siteTopic(site), data: frame });
        // A site is kept while tabs are open on it, even with nothing else in its window.
        if (stats.isIdle() && this.presence.siteCount(site) === 0) {
          this.sites.delete(site);
          this.published.delete(site);
          this.earned.delete(site);
          continue;
        }
      }
      const visitors = this.standing(site, stats, time);
      if (!this.leastVisited || visitors < this.leastVisited.visitors) this.leastVisited = { site, visitors };
    }
    this.tickViews(time, publications);
    if (anyChanged) {
      const { key, frame } = this.sitesList(time);
      if (key !== this.sitesKey) {
        this.sitesKey = key;
        this.sitesFrame = frame;
        publications.push({ topic: SITES_TOPIC, data: frame });
      }
    }
    return publications;
  }

  /** Each changed view: one frame for its topic. A site's log and views go once it is not live and nothing watches them. */
  private tickViews(time: number, publications: Publication[]): void {
    for (const [site, views] of this.views) {
      views.tick(time, this.watchers, (topic, data) => publications.push({ topic, data }));
      if (views.size === 0 && !this.sites.has(site)) {
        views.close();
        this.views.delete(site);
      }
    }
  }

  /** A site that lost its place: one last frame shows its dashboards empty figures, and its sequence ends. */
  private farewell(site: string, time: number, publications: Publication[]): void {
    // Back already (it won a place again since): its sequence goes on.
    if (this.sites.has(site) || !this.published.has(site)) return;
    const frame = this.tickFrame(site, new SiteStats(site), time, () => time);
    if (frame) publications.push({ topic: siteTopic(site), data: frame });
    this.published.delete(site);
  }

  /** What a dashboard gets on connect: the state as of the last tick, encoded once per tick. */
  snapshot(site: string, time: number): string {
    const published = this.published.get(site);
    if (!published) {
      return encodeSnapshotFrame({ site, epoch: 0, seq: 0, time, stats: this.stats(site, time) }, []);
    }
    return publishedSnapshot({ site }, published, this.sites.get(site));
  }

  /** The figures of a site as of the last tick (empty for a site with no data). */
  stats(site: string, time: number): Stats {
    return this.published.get(site)?.stats ?? new SiteStats(site).stats(time);
  }

  sitesSnapshot(time: number): string {
    return this.sitesFrame || this.sitesList(time).frame;
  }

  siteCount(): number {
    return this.sites.size;
  }

  private tickFrame(site: string, stats: SiteStats, time: number, epochOf: (site: string) => number): string | undefined {
    const next = nextTick({ site }, this.published.get(site), stats, time, () => epochOf(site), presentFigures(this.presence, site));
    if (!next) return undefined;
    this.published.set(site, next.published);
    return next.frame;
  }

  private sitesList(time: number): { key: string; frame: string } {
    const summaries: SiteSummary[] = [];
    for (const [site, stats] of this.sites) {
      const minutes = stats.perMinute.toSeries(time).counts.slice(-SITE_LIST_MINUTES);
      summaries.push({ site, visitors: stats.visitors.last5m(time), pageviews: stats.perMinute.total(), minutes });
    }
    summaries.sort((a, b) => b.visitors - a.visitors || b.pageviews - a.pageviews || (a.site < b.site ? -1 : 1));
    const sites = summaries.slice(0, SITE_LIST_SIZE);
    const more = summaries.length - sites.length;
    // The sparklines end with the minute of the frame's time: a list published in another minute
    // is another list, even with the same counts.
    const minute = Math.floor(time / 60_000);
    return { key: JSON.stringify([minute, sites, more]), frame: encodeSitesFrame({ time, sites, more }) };
  }
}
