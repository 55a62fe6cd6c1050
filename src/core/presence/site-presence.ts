import type { PresenceChange } from "./presence-counts.ts";

/** Distinct pages whose tabs a site counts one by one; tabs on further pages count in the site's total only. */
export const MAX_PRESENCE_PAGES_PER_SITE = 1_000;

/** A page's present tabs, and what the last take of changes reported for it. */
interface PageCount {
  count: number;
  taken: number;
}

/**
 * One site's present tabs, in total and by page, kept as tabs arrive, move and leave (O(1) each),
 * and the counts that changed since they were last taken.
 */
export class SitePresence<Tab = unknown> {
  /** The tabs the site holds an entry for, present or not, by id (see Presence). */
  readonly tabs = new Map<string, Tab>();
  /** Present tabs of the site, tabs on pages past the cap included. */
  count = 0;
  /** The site's total as the last take reported it. */
  private taken = 0;
  private readonly pages = new Map<string, PageCount>();
  /** Pages whose count changed since the last take; the site's total is checked at each take. */
  private readonly changedPages = new Set<string>();

  constructor(readonly name: string) {}

  pageCount(page: string): number {
    return this.pages.get(page)?.count ?? 0;
  }

  /** Counts a tab arriving on `page`; returns the page it is counted on, or null past the page cap. */
  arrive(page: string): string | null {
    this.count++;
    let counted = this.pages.get(page);
    if (!counted) {
      if (this.pages.size >= MAX_PRESENCE_PAGES_PER_SITE) return null;
      this.pages.set(page, (counted = { count: 0, taken: 0 }));
    }
    counted.count++;
    this.changedPages.add(page);
    return page;
  }

  /** Takes away a tab counted by `arrive` (`page` as it returned). */
  leave(page: string | null): void {
    this.count--;
    if (page === null) return;
    const counted = this.pages.get(page);
    if (!counted) return;
    counted.count--;
    // Never reported (no one takes changes, or it came and went between two takes): nothing to tell.
    if (counted.count === 0 && counted.taken === 0) {
      this.pages.delete(page);
      this.changedPages.delete(page);
    } else {
      this.changedPages.add(page);
    }
  }

  get changed(): boolean {
    return this.count !== this.taken || this.changedPages.size > 0;
  }

  /**
   * Each count that differs from what the last take reported, with its value now; a page whose
   * count went and came back to the same value since is left out. Pages down to 0 are forgotten
   * once reported.
   */
  takeChanges(into: PresenceChange[]): void {
    if (this.count !== this.taken) {
      into.push({ site: this.name, page: null, count: this.count });
      this.taken = this.count;
    }
    for (const page of this.changedPages) {
      const counted = this.pages.get(page);
      if (!counted) continue;
      if (counted.count !== counted.taken) into.push({ site: this.name, page, count: counted.count });
      counted.taken = counted.count;
      if (counted.count === 0) this.pages.delete(page);
    }
    this.changedPages.clear();
  }

  /** Nothing left to count or to report. */
  get empty(): boolean {
    return this.tabs.size === 0 && !this.changed;
  }
}
