import { Counter } from "./counter.ts";
import { RecencyList, type RecencyNode } from "./recency-list.ts";

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
  /** Place in the 30-minute list. */
  active: RecencyNode<Visitor>;
  /** Place in the 5-minute list, while the visitor is current. */
  recent: RecencyNode<Visitor> | null;
}

/**
 * The visitors seen in the last 30 minutes, with running breakdowns that change by O(1) per hit.
 *
 * Two lists hold the visitors in order of last activity, so expiry only ever looks at the oldest
 * end: the cost of a tick is the number of visitors that expired, not the number tracked. Above
 * `maxTracked` the least recently seen visitor is forgotten early, which bounds memory; the counts
 * are then lower bounds and `capped` says so.
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

  capped = false;

  constructor(readonly maxTracked = 100_000) {}

  get last30m(): number {
    return this.active.size;
  }

  get last5m(): number {
    return this.recent.size;
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  touch(id: number, time: number, hit: VisitorHit): void {
    let visitor = this.byId.get(id);
    if (visitor) {
      this.active.moveToNewest(visitor.active);
    } else {
      if (this.active.size >= this.maxTracked) {
        this.forget(this.active.oldest!.value);
        this.capped = true;
      }
      // A visit keeps the source, browser, OS, device and country of its first hit.
      // The visitor and its list node point at each other: the node is set right after.
      const { page, source, browser, os, device, country } = hit;
      const created = { page, source, browser, os, device, country, id, lastSeen: time, recent: null } as Visitor;
      created.active = this.active.push(created);
      this.byId.set(id, created);
      this.countVisit(created, 1);
      visitor = created;
    }
    visitor.lastSeen = time;

    if (visitor.recent) {
      this.recent.moveToNewest(visitor.recent);
      // Most hits (engagement, reloads) leave the visitor on the same page: nothing to move.
      if (visitor.page === hit.page) return;
      this.pages.add(visitor.page, -1);
    } else {
      visitor.recent = this.recent.push(visitor);
    }
    visitor.page = hit.page;
    this.pages.add(visitor.page, 1);
  }

  /** Forgets visitors idle for longer than the windows; returns whether any count changed. */
  expire(time: number): boolean {
    let changed = false;
    for (let node = this.recent.oldest; node && node.value.lastSeen <= time - RECENT_MS; node = this.recent.oldest) {
      this.leaveRecent(node.value);
      changed = true;
    }
    for (let node = this.active.oldest; node && node.value.lastSeen <= time - ACTIVE_MS; node = this.active.oldest) {
      this.forget(node.value);
      changed = true;
    }
    if (this.active.size === 0) this.capped = false;
    return changed;
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
