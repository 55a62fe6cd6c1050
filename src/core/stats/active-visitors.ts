import { Counter } from "./counter.ts";
import { NONE, RecencyList } from "./recency-list.ts";
import { labelledVisitorBytes, VisitorBudget, visitorBytes, VISITOR_LABEL_CHAR_BYTES } from "./visitor-budget.ts";
import { VisitorIndex } from "./visitor-index.ts";
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

/** Slots held however few visitors are tracked. */
const MIN_SLOTS = 16;
/** Slots are renumbered into smaller columns once fewer than 1 in SHRINK_BELOW is in use. */
const SHRINK_BELOW = 2.5;

/**
 * The visitors seen in the last 30 minutes (or the view's window of W minutes), with running breakdowns that change by O(1) per hit.
 *
 * Each tracked visitor is a slot in columns (typed arrays, and arrays of their labels), found by
 * id in a VisitorIndex: no object per visitor, so a view can load hundreds of thousands at once
 * and the collector has nothing of theirs to trace. Columns double when full and are renumbered
 * into smaller ones when few slots are in use, so they hold at most SHRINK_BELOW slots a visitor.
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
  private index = new VisitorIndex();
  /** Slots in use, last 30 minutes, oldest first. */
  private active = new RecencyList(MIN_SLOTS);
  /** Last 5 minutes, oldest first: "current visitors". */
  private recent = new RecencyList(MIN_SLOTS);

  // The columns, by slot. A free slot's id holds the next free slot.
  private capacity = MIN_SLOTS;
  private ids: Float64Array = new Float64Array(MIN_SLOTS);
  private lastSeen: Float64Array = new Float64Array(MIN_SLOTS);
  /** The page of each visitor's last hit; the other labels are those of their first (the visit's). */
  private pageOf: string[] = [];
  private sourceOf: string[] = [];
  private browserOf: string[] = [];
  private osOf: string[] = [];
  private deviceOf: string[] = [];
  private countryOf: string[] = [];
  /** Slots below this have been used (the label columns are this long); the free ones among them are chained from `freeSlot`. */
  private slotsUsed = 0;
  private freeSlot = NONE;
  /** The first slot of a load in progress. */
  private loadedFrom = 0;

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

  /** Slots the columns have room for: at most SHRINK_BELOW per tracked visitor, past the minimum. */
  get slotCapacity(): number {
    return this.capacity;
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
    return this.index.get(id) !== NONE;
  }

  touch(id: number, time: number, hit: VisitorHit): void {
    let slot = this.index.get(id);
    if (slot !== NONE) {
      this.active.moveToNewest(slot);
    } else {
      if (!this.budget.take(visitorBytes(hit))) return this.countUntracked(id, time);
      // A visit keeps the source, browser, OS, device and country of its first hit.
      slot = this.track(id, hit.page, hit.source, hit.browser, hit.os, hit.device, hit.country);
      this.index.add(id, slot);
      this.active.push(slot);
      this.countVisit(slot, 1);
    }
    this.lastSeen[slot] = time;
    this.sketch?.add(id, time);

    const page = this.pageOf[slot]!;
    if (this.recent.has(slot)) {
      this.recent.moveToNewest(slot);
      // Most hits (engagement, reloads) leave the visitor on the same page: nothing to move.
      if (page === hit.page) return;
      this.pages.add(page, -1);
    } else {
      this.recent.push(slot);
    }
    if (page.length !== hit.page.length) this.budget.adjust(VISITOR_LABEL_CHAR_BYTES * (hit.page.length - page.length));
    this.pageOf[slot] = hit.page;
    this.pages.add(hit.page, 1);
  }

  /**
   * Makes room for `count` visitors that `load` then adds, one by one; `endLoad` makes them
   * findable by id, all at once (much cheaper than one by one). Nothing else may be asked of the
   * visitors in between.
   */
  beginLoad(count: number): void {
    if (this.slotsUsed + count > this.capacity) this.resize(this.slotsUsed + count);
    this.loadedFrom = this.slotsUsed;
  }

  /**
   * Adds a visitor not tracked yet, as `touch` would have left them after their hits: the labels of
   * their first hit, the page of their last, seen last at `lastSeen`. Visitors are loaded in the
   * order of their last hits, so the lists stay in order; `expire` then sets the windows right.
   * False when the budget has no room: the caller builds the figures hit by hit instead (after
   * `forgetAll`). Uncounted: the caller adds the loaded visitors to the counters (pages and the
   * first hit's labels) itself: loading hundreds of thousands, it counts each label once.
   * `current` false (a visitor no longer current at the time the figures are moved on to) is not made one.
   */
  load(id: number, lastSeen: number, page: string, source: string, browser: string, os: string, device: string, country: string, current: boolean): boolean {
    if (!this.budget.take(labelledVisitorBytes(page.length + source.length + browser.length + os.length + device.length + country.length))) return false;
    // A fresh slot: beginLoad made room for them after those used.
    const slot = this.slotsUsed++;
    this.ids[slot] = id;
    this.lastSeen[slot] = lastSeen;
    this.pushLabels(page, source, browser, os, device, country);
    this.active.push(slot);
    if (current) this.recent.push(slot);
    return true;
  }

  /** The visitors loaded since beginLoad, found by id from now on. */
  endLoad(): void {
    this.index.addAll(this.ids, this.loadedFrom, this.slotsUsed);
  }

  /** Forgets visitors idle for longer than the windows; returns whether any count changed. */
  expire(time: number): boolean {
    let changed = false;
    for (let slot = this.recent.oldest; slot !== NONE && this.lastSeen[slot]! <= time - this.recentMs; slot = this.recent.oldest) {
      this.leaveRecent(slot);
      changed = true;
    }
    for (let slot = this.active.oldest; slot !== NONE && this.lastSeen[slot]! <= time - this.activeMs; slot = this.active.oldest) {
      this.forget(slot);
      changed = true;
    }
    if (this.capacity > MIN_SLOTS && this.active.size * SHRINK_BELOW < this.capacity) this.resize(Math.ceil(1.5 * this.active.size));
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
    for (let slot = this.active.oldest; slot !== NONE; slot = this.active.oldest) this.forget(slot);
    this.resize(0);
    this.sketch = null;
  }

  /** A visitor past the budget: counted in the sketch, which first takes in every tracked visitor. */
  private countUntracked(id: number, time: number): void {
    if (!this.sketch) {
      this.sketch = new VisitorSketch();
      for (let slot = this.active.oldest; slot !== NONE; slot = this.active.after(slot)) this.sketch.add(this.ids[slot]!, this.lastSeen[slot]!);
    }
    this.sketch.add(id, time);
    this.lastUntracked = time;
  }

  /** A slot for a new visitor, with their labels; not yet in a list nor in the index. */
  private track(id: number, page: string, source: string, browser: string, os: string, device: string, country: string): number {
    let slot = this.freeSlot;
    if (slot !== NONE) this.freeSlot = this.ids[slot]!;
    else {
      if (this.slotsUsed === this.capacity) this.resize(2 * this.capacity);
      slot = this.slotsUsed++;
    }
    this.ids[slot] = id;
    if (slot < this.pageOf.length) {
      this.pageOf[slot] = page;
      this.sourceOf[slot] = source;
      this.browserOf[slot] = browser;
      this.osOf[slot] = os;
      this.deviceOf[slot] = device;
      this.countryOf[slot] = country;
    } else {
      this.pushLabels(page, source, browser, os, device, country);
    }
    return slot;
  }

  /** The labels of a slot used for the first time: label columns grow as slots are first used, as filling them ahead would cost as much again. */
  private pushLabels(page: string, source: string, browser: string, os: string, device: string, country: string): void {
    this.pageOf.push(page);
    this.sourceOf.push(source);
    this.browserOf.push(browser);
    this.osOf.push(os);
    this.deviceOf.push(device);
    this.countryOf.push(country);
  }

  private leaveRecent(slot: number): void {
    if (!this.recent.has(slot)) return;
    this.recent.remove(slot);
    this.pages.add(this.pageOf[slot]!, -1);
  }

  private forget(slot: number): void {
    this.leaveRecent(slot);
    this.active.remove(slot);
    this.index.delete(this.ids[slot]!);
    this.budget.release(this.bytesOf(slot));
    this.countVisit(slot, -1);
    // Labels a visitor alone had are not kept alive by a free slot.
    this.pageOf[slot] = this.sourceOf[slot] = this.browserOf[slot] = this.osOf[slot] = this.deviceOf[slot] = this.countryOf[slot] = "";
    this.ids[slot] = this.freeSlot;
    this.freeSlot = slot;
  }

  /** What the budget holds for a tracked visitor: `visitorBytes` of their labels now. */
  private bytesOf(slot: number): number {
    return labelledVisitorBytes(
      this.pageOf[slot]!.length + this.sourceOf[slot]!.length + this.browserOf[slot]!.length + this.osOf[slot]!.length + this.deviceOf[slot]!.length + this.countryOf[slot]!.length,
    );
  }

  private countVisit(slot: number, delta: number): void {
    this.sources.add(this.sourceOf[slot]!, delta);
    this.browsers.add(this.browserOf[slot]!, delta);
    this.os.add(this.osOf[slot]!, delta);
    this.devices.add(this.deviceOf[slot]!, delta);
    this.countries.add(this.countryOf[slot]!, delta);
  }

  /**
   * Columns with room for `wanted` visitors (at least MIN_SLOTS). Growing keeps every slot;
   * shrinking renumbers the tracked visitors 0, 1, 2… in the order of the 30-minute list, which
   * costs O(tracked) once per many expired visitors: amortised O(1) each.
   */
  private resize(wanted: number): void {
    const capacity = Math.max(MIN_SLOTS, wanted);
    if (capacity > this.capacity) {
      this.ids = grown(this.ids, capacity);
      this.lastSeen = grown(this.lastSeen, capacity);
      this.active.resize(capacity);
      this.recent.resize(capacity);
      this.index.reserve(capacity);
      this.capacity = capacity;
      return;
    }
    const renamed = new Int32Array(this.capacity);
    const ids = new Float64Array(capacity);
    const lastSeen = new Float64Array(capacity);
    const old = this.labelColumns();
    const columns: string[][] = old.map(() => []);
    const index = new VisitorIndex(this.active.size);
    let next = 0;
    for (let slot = this.active.oldest; slot !== NONE; slot = this.active.after(slot), next++) {
      renamed[slot] = next;
      ids[next] = this.ids[slot]!;
      lastSeen[next] = this.lastSeen[slot]!;
      for (let c = 0; c < columns.length; c++) columns[c]!.push(old[c]![slot]!);
      index.add(ids[next]!, next);
    }
    this.active.renumber(renamed, capacity);
    this.recent.renumber(renamed, capacity);
    [this.pageOf, this.sourceOf, this.browserOf, this.osOf, this.deviceOf, this.countryOf] = columns as [string[], string[], string[], string[], string[], string[]];
    this.ids = ids;
    this.lastSeen = lastSeen;
    this.index = index;
    this.slotsUsed = next;
    this.freeSlot = NONE;
    this.capacity = capacity;
  }

  private labelColumns(): string[][] {
    return [this.pageOf, this.sourceOf, this.browserOf, this.osOf, this.deviceOf, this.countryOf];
  }
}

function grown(column: Float64Array, capacity: number): Float64Array {
  const copy = new Float64Array(capacity);
  copy.set(column);
  return copy;
}
