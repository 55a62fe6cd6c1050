import type { PresenceChange, PresenceCounts, PresenceSignal } from "../../src/core/presence/presence-counts.ts";

/** Counts a test sets by hand, with the signals the widgets announced, for the widgets' tests. */
export class FakePresence implements PresenceCounts {
  readonly signals: PresenceSignal[] = [];
  private readonly counts = new Map<string, number>();
  private changes = new Map<string, PresenceChange>();

  /** Sets a count, as Presence would after signals; page null is the site's total. */
  set(site: string, page: string | null, count: number): void {
    const key = page === null ? site : `${site}|${page}`;
    this.counts.set(key, count);
    this.changes.set(key, { site, page, count });
  }

  announce = (signal: PresenceSignal): void => {
    this.signals.push(signal);
  };

  siteCount(site: string): number {
    return this.counts.get(site) ?? 0;
  }

  pageCount(site: string, page: string): number {
    return this.counts.get(`${site}|${page}`) ?? 0;
  }

  /** The page each tab a test placed is present on, by `${site} ${tab}`; the counts are set apart. */
  readonly tabs = new Map<string, string>();

  pageOf(site: string, tab: string): string | null {
    return this.tabs.get(`${site} ${tab}`) ?? null;
  }

  takeChanges(): Iterable<PresenceChange> {
    const changes = this.changes.values();
    this.changes = new Map();
    return changes;
  }
}
