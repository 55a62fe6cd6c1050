import { DEFAULT_WINDOW, matcherOf, viewTopic, type CanonicalView, type ViewWindow } from "../wire/view-filters.ts";
import { encodeRewindFrame } from "../wire/frame-encoder.ts";
import { REWIND_MS } from "../wire/protocol.ts";
import { firstPublished, nextTick, publishedSnapshot, type FrameHead, type Published } from "./frame-sequence.ts";
import { HitLog, type HitLogPool } from "./hit-log.ts";
import { builtFrom, figuresBeforeLoad, figuresFromLog, LATE_HITS_MS, loadScanned, scanView, viewFromLog, type LogRange, type ScannedView } from "./view-history.ts";
import { clippedHit, SiteStats, type Hit, type SiteLimits } from "./site-stats.ts";
import { SITE_BYTES, VisitorBudget } from "./visitor-budget.ts";
import type { PresenceCounts } from "../presence/presence-counts.ts";
import { presentFigures, type PresentFigures } from "../presence/present-figures.ts";

/** Views of one site at once (each filter set and window); past it a new one is refused until one is dropped. */
export const MAX_VIEWS_PER_SITE = 32;
/** What a view may take besides its visitors: as a site, whose figures it keeps. */
export const VIEW_BYTES = SITE_BYTES;
/** A view nobody watches is kept this long, so that a reload finds it still there. */
export const UNWATCHED_VIEW_GRACE_MS = 30_000;
/**
 * A new view with this many visitors or more answers its first snapshot from the scan's tallies
 * and loads its visitors at the next tick: loading them one by one took as long as the scan (about
 * 100 ms per 200,000). Fewer load at once, in a few milliseconds.
 */
export const LOAD_AFTER_SNAPSHOT_FROM = 20_000;
/** Matching hits a view whose visitors are still to load keeps for them; past it, it is built again from the log. */
export const MAX_HITS_WHILE_LOADING = 100_000;

/** Who watches which topic: the dashboards know, the hub asks. */
export interface ViewWatchers {
  isWatched(topic: string): boolean;
}

export const ALWAYS_WATCHED: ViewWatchers = { isWatched: () => true };

interface View {
  readonly head: FrameHead;
  readonly window: ViewWindow;
  readonly topic: string;
  readonly matches: (hit: Hit) => boolean;
  /** What presence adds to its frames, where its filters let it (see presentFigures). */
  readonly present: PresentFigures | undefined;
  stats: SiteStats;
  published: Published;
  unwatchedSince: number | undefined;
  /** Present from a large view's first snapshot until its visitors are loaded (see LOAD_AFTER_SNAPSHOT_FROM). */
  loading: Loading | undefined;
}

interface Loading {
  scanned: ScannedView;
  /** The matching hits recorded since the scan, recorded into the view once its visitors are in. */
  hits: Hit[];
  overflowed: boolean;
}

export type ViewOpening = { snapshot: string } | { refused: string };

/**
 * A site's filtered views and its hit log. Each view is a SiteStats fed only the hits that match
 * all its filters, so a visitor counts in a view when one of their hits in the window matched, and
 * the lists break down those visitors by their matching hits. A tick turns each changed view into
 * ONE frame for its topic, whatever number of dashboards watch it.
 */
export class SiteViews {
  private readonly views = new Map<string, View>();
  /** The views as an array, for the per-hit loop. */
  private list: View[] = [];
  readonly log: HitLog;

  constructor(
    readonly site: string,
    private readonly limits: SiteLimits,
    private readonly budget: VisitorBudget,
    pool: HitLogPool,
    private readonly presence: PresenceCounts,
    private readonly loadAfterSnapshotFrom = LOAD_AFTER_SNAPSHOT_FROM,
  ) {
    this.log = new HitLog(pool);
  }

  get size(): number {
    return this.views.size;
  }

  /** Per hit: one log entry, and one comparison or two per view. */
  record(hit: Hit): void {
    this.log.append(hit);
    for (const view of this.list) {
      if (!view.matches(hit)) continue;
      const loading = view.loading;
      if (!loading) view.stats.record(hit);
      else if (loading.hits.length < MAX_HITS_WHILE_LOADING) loading.hits.push(hit);
      else loading.overflowed = true;
    }
  }

  /** A stored hit at start-up goes into the log only: no view exists yet. */
  restore(hit: Hit): void {
    this.log.append(clippedHit(hit));
  }

  /** The view of these filters and window, built from the log when new; refused past MAX_VIEWS_PER_SITE. */
  open(canonical: CanonicalView, time: number): ViewOpening {
    let view = this.views.get(canonical.key);
    if (!view) {
      if (this.views.size >= MAX_VIEWS_PER_SITE) {
        return { refused: `${this.site} already has ${MAX_VIEWS_PER_SITE} views open (filter sets and windows): try again later, or watch the whole site` };
      }
      // A view holds what a site holds besides visitors: charged to the visitors' budget, so that
      // views stay within --max-memory too.
      if (!this.budget.take(VIEW_BYTES)) return { refused: "no memory left for another filtered view: try again later" };
      // One view loads its visitors at a time: each holds its scan until then.
      for (const other of this.list) if (other.loading) this.load(other, time);
      view = this.build(canonical, time);
      this.views.set(canonical.key, view);
      this.list = [...this.views.values()];
    }
    view.unwatchedSince = undefined;
    return { snapshot: publishedSnapshot(view.head, view.published, view.stats) };
  }

  private build({ filters, window = DEFAULT_WINDOW, key }: CanonicalView, time: number): View {
    const newStats = this.statsOf(window);
    const scanned = scanView(this.log, this.rangeOf(filters, window, time), newStats);
    const head = window === DEFAULT_WINDOW ? { site: this.site, filters } : { site: this.site, filters, window };
    const present = presentFigures(this.presence, this.site, filters);
    const view = { head, window, topic: viewTopic(this.site, key), matches: matcherOf(filters), present, unwatchedSince: undefined };
    if (scanned.visitors >= this.loadAfterSnapshotFrom) {
      // The first snapshot carries figures that loading the visitors leaves as they are; the next
      // tick sends what changed since.
      const figures = figuresBeforeLoad(scanned, time);
      present?.(figures);
      return { ...view, stats: scanned.stats, published: firstPublished(figures, time, time), loading: { scanned, hits: [], overflowed: false } };
    }
    const stats = builtFrom(scanned, newStats);
    stats.advance(time);
    // Published at once, as a restored site is: the first snapshot carries the history, and the
    // first tick continues its sequence.
    const { published } = nextTick(head, undefined, stats, time, () => time, present)!;
    return { ...view, stats, published, loading: undefined };
  }

  /** Fresh figures of a view of this window, charged to the visitors' budget. */
  private statsOf(window: ViewWindow): () => SiteStats {
    return () => new SiteStats(this.site, this.limits, this.budget, window);
  }

  /** The hits a view opened at `time` starts from: those of its window, up to any still to come. */
  private rangeOf(filters: CanonicalView["filters"], window: ViewWindow, time: number): LogRange {
    return { filters, from: time - window * 60_000, to: Number.POSITIVE_INFINITY, asOf: time };
  }

  /** Loads the visitors of a view opened before, then the hits it matched since; or builds it again from the log, now. */
  private load(view: View, time: number): void {
    const { scanned, hits, overflowed } = view.loading!;
    view.loading = undefined;
    if (!overflowed && loadScanned(scanned)) {
      for (const hit of hits) view.stats.record(hit);
    } else {
      view.stats = viewFromLog(this.log, this.rangeOf(view.head.filters ?? {}, view.window, time), this.statsOf(view.window));
    }
    // So that the tick compares the figures with the snapshot's.
    view.stats.dirty = true;
  }

  /** Publishes each changed view once; drops views nobody has watched for the grace period. */
  tick(time: number, watchers: ViewWatchers, publish: (topic: string, frame: string) => void): void {
    // Before the log drops any chunk: a view still to load reads the chunks it scanned.
    for (const view of this.list) if (view.loading) this.load(view, time);
    this.log.trim(time);
    for (const [key, view] of this.views) {
      if (watchers.isWatched(view.topic)) view.unwatchedSince = undefined;
      else if ((view.unwatchedSince ??= time) <= time - UNWATCHED_VIEW_GRACE_MS) {
        this.forget(view);
        this.views.delete(key);
        this.list = [...this.views.values()];
        continue;
      }
      const expired = view.stats.advance(time);
      if (!expired && !view.stats.dirty) continue;
      const next = nextTick(view.head, view.published, view.stats, time, () => time, view.present);
      if (!next) continue;
      view.published = next.published;
      publish(view.topic, next.frame);
    }
  }

  /** The site's tabs moved: each view that shows them gets a frame at this tick. */
  presenceMoved(): void {
    for (const view of this.list) if (view.present) view.stats.dirty = true;
  }

  /** The site left the live figures: its views show empty figures at the next tick, and the log goes. */
  reset(): void {
    for (const view of this.views.values()) {
      view.loading = undefined;
      view.stats.visitors.forgetAll();
      view.stats = this.statsOf(view.window)();
      view.stats.dirty = true;
    }
    this.log.clear();
  }

  /**
   * The view as it was at `at` (brought within the last REWIND_MS), built from the log's hits of
   * its window ending there, as one encoded RewindFrame. Its visitors are tallied, not tracked: it takes none of their memory.
   */
  rewind(canonical: CanonicalView, at: number, now: number): string {
    const { filters, window, time, range } = rewindRange(canonical, at, now);
    const { stats, feed } = figuresFromLog(this.log, range, new SiteStats(this.site, this.limits, new VisitorBudget(0), window));
    return encodeRewindFrame({ site: this.site, filters, window, at: time, from: this.log.oldestTime() ?? now, stats }, feed);
  }

  /** The logged hits a rewind reads: those of the chunks its window reaches (each chunk is read whole). */
  rewindCost(canonical: CanonicalView, at: number, now: number): number {
    const { range } = rewindRange(canonical, at, now);
    return this.log.hitsBetween(range.from, range.to, LATE_HITS_MS);
  }

  private forget(view: View): void {
    view.stats.visitors.forgetAll();
    this.budget.release(VIEW_BYTES);
  }

  close(): void {
    for (const view of this.views.values()) this.forget(view);
    this.views.clear();
    this.list = [];
    this.log.close();
  }
}

/** A rewind's moment, brought within the last REWIND_MS, and the hits of its window ending there. */
function rewindRange({ filters, window = DEFAULT_WINDOW }: CanonicalView, at: number, now: number) {
  const time = Math.min(now, Math.max(now - REWIND_MS, at));
  return { filters, window, time, range: { filters, from: time - window * 60_000, to: time } };
}
