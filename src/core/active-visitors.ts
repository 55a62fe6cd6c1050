import { Counter } from "./counter.ts";

export const RECENT_MS = 5 * 60_000;
export const ACTIVE_MS = 30 * 60_000;

/** What a visitor's latest hit tells about them. */
export interface VisitorHit {
  page: string;
  source: string;
  browser: string;
  os: string;
  device: string;
}

interface Visitor extends VisitorHit {
  lastSeen: number;
}

/**
 * The visitors seen in the last 30 minutes, with running breakdowns that change by O(1) per hit.
 *
 * Two Maps hold the same visitor objects in order of last activity (a touch deletes and re-inserts),
 * so expiry only ever looks at the front: the cost of a tick is the number of visitors that expired,
 * not the number tracked. Above `maxTracked` the least recently seen visitor is forgotten early,
 * which bounds memory; the counts are then lower bounds and `capped` says so.
 */
export class ActiveVisitors {
  /** Last 30 minutes, by last activity. */
  private readonly active = new Map<number, Visitor>();
  /** Last 5 minutes, by last activity: "current visitors". */
  private readonly recent = new Map<number, Visitor>();

  /** Current visitors by the page they are on. */
  readonly pages = new Counter();
  /** Visitors of the last 30 minutes by the source of their visit, browser, OS and device. */
  readonly sources = new Counter();
  readonly browsers = new Counter();
  readonly os = new Counter();
  readonly devices = new Counter();

  capped = false;

  constructor(readonly maxTracked = 100_000) {}

  get last30m(): number {
    return this.active.size;
  }

  get last5m(): number {
    return this.recent.size;
  }

  has(id: number): boolean {
    return this.active.has(id);
  }

  touch(id: number, time: number, hit: VisitorHit): void {
    let visitor = this.active.get(id);
    if (visitor) {
      this.active.delete(id);
    } else {
      // A visit keeps the source, browser, OS and device of its first hit.
      visitor = { ...hit, lastSeen: time };
      this.countVisit(visitor, 1);
      if (this.active.size >= this.maxTracked) {
        this.forget(this.active.keys().next().value!);
        this.capped = true;
      }
    }
    visitor.lastSeen = time;
    this.active.set(id, visitor);

    if (this.recent.delete(id)) this.pages.add(visitor.page, -1);
    visitor.page = hit.page;
    this.pages.add(visitor.page, 1);
    this.recent.set(id, visitor);
  }

  /** Forgets visitors idle for longer than the windows; returns whether any count changed. */
  expire(time: number): boolean {
    let changed = false;
    for (const [id, visitor] of this.recent) {
      if (visitor.lastSeen > time - RECENT_MS) break;
      this.recent.delete(id);
      this.pages.add(visitor.page, -1);
      changed = true;
    }
    for (const [id, visitor] of this.active) {
      if (visitor.lastSeen > time - ACTIVE_MS) break;
      this.forget(id);
      changed = true;
    }
    if (this.active.size === 0) this.capped = false;
    return changed;
  }

  private forget(id: number): void {
    const visitor = this.active.get(id);
    if (!visitor) return;
    this.active.delete(id);
    if (this.recent.delete(id)) this.pages.add(visitor.page, -1);
    this.countVisit(visitor, -1);
  }

  private countVisit(visitor: Visitor, delta: number): void {
    this.sources.add(visitor.source, delta);
    this.browsers.add(visitor.browser, delta);
    this.os.add(visitor.os, delta);
    this.devices.add(visitor.device, delta);
  }
}
