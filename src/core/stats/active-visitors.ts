import { Counter } from "./counter.ts";
import { RecencyList, type RecencyNode } from "./recency-list.ts";
import { VisitorBudget, visitorBytes, VISITOR_LABEL_CHAR_BYTES } from "./visitor-budget.ts";
import { VisitorSketch } from "./visitor-sketch.ts";

export const RECENT_MS = 5 * 60_000;
export const ACTIVE_MS = 30 * 60_000;

/** What a visitor's latest hit tells about them. */
export interface VisitorHit {
  page: string;
  source: string;
  browser: string;
  os: string;
  device: string;
  country: string;
}

interface Visitor extends VisitorHit {
  id: number;
  lastSeen: number;
  /** What the budget was charged for this visitor. */
  bytes: number;
  /** Place in the 30-minute list. */
  active: RecencyNode<Visitor>;
  /** Place in the 5-minute list, while the visitor is current. */
  recent: RecencyNode<Visitor> | null;
}

/**
 * The visitors seen in the last 30 minutes (or the view's window of W minutes), with running breakdowns that change by O(1) per hit.
 *
 * Two lists hold the visitors in order of last activity, so expiry only ever looks at the oldest
 * end: the cost of a tick is the number of visitors that expired, not the number tracked.
 *
 * Memory is bounded by a budget all sites share: once it is spent, a new visitor is counted in a
 * sketch (about 3% off) and is left out of the breakdowns. From the first such visitor, every
 * visitor of the site, tracked or not, goes into the sketch too, so that the counts are those of
 * the union; `capped` then says they are estimates. Thirty minutes after the last visitor left out,
 * everyone in the window is tracked again and the counts are exact once more.
 */
export class ActiveVisitors {
  private readonly byId = new Map<number, Visitor>();
  /** Last 30 minutes, oldest first. */
  private readonly active = new RecencyList<Visitor>();
  /** Last 5 minutes, oldest first: "current visitors". */
  private readonly recent = new RecencyList<Visitor>();

  /** Current visitors by the page they are on. */
  readonly pages = new Counter();
  /** Visitors of the last 30 minutes by the source of their visit, browser, OS, device and country. */
  readonly sources = new Counter();
  readonly browsers = new Counter();
  readonly os = new Counter();
  readonly devices = new Counter();
  readonly countries = new Counter();

  /** Present while some visitors of the last 30 minutes are not tracked one by one. */
  private sketch: VisitorSketch | null = null;
  private lastUntracked = Number.NEGATIVE_INFINITY;

  /** "Now": the last min(5, W) minutes. */
  readonly recentMs: number;
  /** The window: the last W minutes. */
  readonly activeMs: number;

  constructor(
    readonly budget = new VisitorBudget(Number.POSITIVE_INFINITY),
    windowMinutes = ACTIVE_MS / 60_000,
  ) {
    this.activeMs = windowMinutes * 60_000;
    this.recentMs = Math.min(RECENT_MS, this.activeMs);
  }

  /** Visitors of the last 30 minutes tracked one by one. */
  get tracked(): number {
    return this.active.size;
  }

  /** Tracked visitors of the last 5 minutes. */
  get trackedRecent(): number {
    return this.recent.size;
  }

  /** True while the counts are estimates, because some visitors are not tracked one by one. */
  get capped(): boolean {
    return this.sketch !== null;
  }

  /** Distinct visitors of the last 5 minutes: exact, or estimated while capped (never below the tracked ones). */
  last5m(time: number): number {
    return this.sketch ? Math.max(this.recent.size, Math.round(this.sketch.estimate(this.recentMs, time))) : this.recent.size;
  }

  last30m(time: number): number {
    return this.sketch ? Math.max(this.active.size, Math.round(this.sketch.estimate(this.activeMs, time))) : this.active.size;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  touch(id: number, time: number, hit: VisitorHit): void {
    let visitor = this.byId.get(id);
    if (visitor) {
      this.active.moveToNewest(visitor.active);
    } else {
      const bytes = visitorBytes(hit);
      if (!this.budget.take(bytes)) return this.countUntracked(id, time);
      // A visit keeps the source, browser, OS, device and country of its first hit.
      // The visitor and its list node point at each other: the node is set right after.
      const { page, source, browser, os, device, country } = hit;
      const created = { page, source, browser, os, device, country, id, lastSeen: time, bytes, recent: null } as Visitor;
      created.active = this.active.push(created);
      this.byId.set(id, created);
      this.countVisit(created, 1);
      visitor = created;
    }
    visitor.lastSeen = time;
    this.sketch?.add(id, time);

    if (visitor.recent) {
      this.recent.moveToNewest(visitor.recent);
      // Most hits (engagement, reloads) leave the visitor on the same page: nothing to move.
      if (visitor.page === hit.page) return;
      this.pages.add(visitor.page, -1);
    } else {
      visitor.recent = this.recent.push(visitor);
    }
    if (visitor.page.length !== hit.page.length) {
      const delta = VISITOR_LABEL_CHAR_BYTES * (hit.page.length - visitor.page.length);
      visitor.bytes += delta;
      this.budget.adjust(delta);
    }
    visitor.page = hit.page;
    this.pages.add(visitor.page, 1);
  }

  /**
   * Adds a visitor not tracked yet, as `touch` would have left them after their hits: the labels of
   * their first hit, the page of their last, seen last at `lastSeen`. Visitors are loaded in the
   * order of their last hits, so the lists stay in order; `expire` then sets the windows right.
   * False when the budget has no room: the caller builds the figures hit by hit instead.
   * Uncounted, the caller adds the loaded visitors to the counters (pages and the first hit's
   * labels) itself: loading hundreds of thousands, it counts each label once.
   */
  load(id: number, first: VisitorHit, page: string, lastSeen: number, counted = true, current = true): boolean {
    const { source, browser, os, device, country } = first;
    const bytes = visitorBytes(first) + VISITOR_LABEL_CHAR_BYTES * (page.length - first.page.length);
    if (!this.budget.take(bytes)) return false;
    // One literal, in the order touch creates them: a view loads hundreds of thousands at once.
    const visitor = { page, source, browser, os, device, country, id, lastSeen, bytes, recent: null } as Visitor;
    visitor.active = this.active.push(visitor);
    // A visitor no longer current at the time the figures are moved on to is not made one.
    if (current) visitor.recent = this.recent.push(visitor);
    this.byId.set(id, visitor);
    if (!counted) return true;
    this.countVisit(visitor, 1);
    if (current) this.pages.add(page, 1);
    return true;
  }

  /** Forgets visitors idle for longer than the windows; returns whether any count changed. */
  expire(time: number): boolean {
    let changed = false;
    for (let node = this.recent.oldest; node && node.value.lastSeen <= time - this.recentMs; node = this.recent.oldest) {
      this.leaveRecent(node.value);
      changed = true;
    }
    for (let node = this.active.oldest; node && node.value.lastSeen <= time - this.activeMs; node = this.active.oldest) {
      this.forget(node.value);
      changed = true;
    }
    if (this.sketch) {
      changed = this.sketch.advance(time) || changed;
      if (time - this.lastUntracked >= this.activeMs) {
        this.sketch = null;
        changed = true;
      }
    }
    return changed;
  }

  /** Forgets every visitor, giving their memory back to the budget: the site leaves the live figures. */
  forgetAll(): void {
    for (let node = this.active.oldest; node; node = this.active.oldest) this.forget(node.value);
    this.sketch = null;
  }

  /** A visitor past the budget: counted in the sketch, which first takes in every tracked visitor. */
  private countUntracked(id: number, time: number): void {
    if (!this.sketch) {
      this.sketch = new VisitorSketch();
      for (let node = this.active.oldest; node; node = node.next) this.sketch.add(node.value.id, node.value.lastSeen);
    }
    this.sketch.add(id, time);
    this.lastUntracked = time;
  }

  private leaveRecent(visitor: Visitor): void {
    if (!visitor.recent) return;
    this.recent.remove(visitor.recent);
    visitor.recent = null;
    this.pages.add(visitor.page, -1);
  }

  private forget(visitor: Visitor): void {
    this.leaveRecent(visitor);
    this.active.remove(visitor.active);
    this.byId.delete(visitor.id);
    this.budget.release(visitor.bytes);
    this.countVisit(visitor, -1);
  }

  private countVisit(visitor: Visitor, delta: number): void {
    this.sources.add(visitor.source, delta);
    this.browsers.add(visitor.browser, delta);
    this.os.add(visitor.os, delta);
    this.devices.add(visitor.device, delta);
    this.countries.add(visitor.country, delta);
  }
}
