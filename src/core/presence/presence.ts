import { RecencyList, type RecencyNode } from "./tab-recency.ts";
import type { PresenceChange, PresenceCounts, PresenceSignal } from "./presence-counts.ts";
import { PRESENCE_TTL_MS } from "./presence-timing.ts";
import { SitePresence } from "./site-presence.ts";

/**
 * Tabs one process keeps, present or just gone, all sites together; past it the tab heard from
 * longest ago is dropped. Each costs about PRESENCE_TAB_BYTES (see ARCHITECTURE.md, "Memory").
 */
export const MAX_PRESENCE_TABS = 200_000;
/** Measured heap per tab with a 16-character id (bench/presence-memory.ts), rounded up. */
export const PRESENCE_TAB_BYTES = 300;

export type PresenceState = PresenceSignal["state"];

/** What is known of one tab: where it is, whether it is present, and when it was last heard from. */
interface Tab {
  readonly id: string;
  readonly site: SitePresence<Tab>;
  /** The page it is counted on while present: null on a page past the site's page cap (then in the total only). */
  page: string | null;
  /** The page it last named, counted or not. */
  named: string;
  present: boolean;
  /** Held by a live-widget socket: a tracker's "gone" does not end it, only "released" does. */
  held: boolean;
  /** The time of the last signal applied. */
  last: number;
  node: RecencyNode<Tab> | null;
  /** Whether `node` is in the present tabs' list or the gone ones'. */
  listedPresent: boolean;
}

/**
 * The tabs present on each site and page now. Every process applies the same signals in the bus's
 * one order and advances at the same tick times, so all hold the same counts.
 *
 * Rules: "here" (a pageview, an engagement) makes a tab present on its page, moving it if it was on
 * another; "gone" ends it, unless a live-widget socket holds it; "held" makes it present and held,
 * "released" ends it. A signal older than the last one applied to its tab is ignored (beacons
 * accepted by another worker can reach the bus after a later one), but for a socket's "held" and
"released", which say what the socket was doing then (see `late`). A tab not heard from for
 * PRESENCE_TTL_MS, held or not, expires. A tab that has gone is remembered until then too, and so
 * is a "gone" for a tab never seen, so a "here" accepted before its "gone" but arriving after it
 * does not bring it back.
 */
export class Presence implements PresenceCounts {
  private readonly sites = new Map<string, SitePresence<Tab>>();
  /**
   * Tabs in the order they were last heard from, oldest first: present ones, and apart those that
   * have gone, which the budget forgets first (a widget's socket open for long, announced only now
   * and then, must not be dropped for the many tabs that came and went since).
   */
  private readonly presentTabs = new RecencyList<Tab>();
  private readonly goneTabs = new RecencyList<Tab>();
  /** Sites whose counts changed since the last takeChangedSites (the dashboards' tick). */
  private readonly touched = new Set<string>();
  /** Signals applied, for /metrics. */
  signals = 0;
  /** Present tabs, all sites together. */
  present = 0;

  constructor(
    private readonly ttlMs = PRESENCE_TTL_MS,
    private readonly maxTabs = MAX_PRESENCE_TABS,
  ) {}

  siteCount(site: string): number {
    return this.sites.get(site)?.count ?? 0;
  }

  pageCount(site: string, page: string): number {
    return this.sites.get(site)?.pageCount(page) ?? 0;
  }

  pageOf(site: string, id: string): string | null {
    const tab = this.sites.get(site)?.tabs.get(id);
    return tab?.present ? tab.named : null;
  }

  /** Tabs remembered, present or gone. */
  get tabCount(): number {
    return this.presentTabs.size + this.goneTabs.size;
  }

  apply(signal: PresenceSignal): void {
    this.signal(signal.time, signal.site, signal.tab, signal.page, signal.state);
  }

  /** `apply` without a signal object, for the bus's hot path. */
  signal(time: number, siteName: string, id: string, page: string, state: PresenceState): void {
    this.signals++;
    let site = this.sites.get(siteName);
    const tab = site?.tabs.get(id);
    if (tab) {
      if (time < tab.last) {
        this.late(tab, page, state);
      } else {
        tab.last = time;
        this.update(tab, page, state);
      }
      // Newest of its list: a late signal's tab too, which then expires at most a TTL late.
      this.listOf(tab.listedPresent).remove(tab.node!);
      this.list(tab);
      return;
    }
    // An unknown tab's "gone" or "released" ends nothing, but is remembered like any signal: with
    // workers, the "here" it answers may reach the bus after it (see the class comment).
    if (!site) this.sites.set(siteName, (site = new SitePresence<Tab>(siteName)));
    const added: Tab = { id, site, page: null, named: page, present: false, held: false, last: time, node: null, listedPresent: false };
    site.tabs.set(id, added);
    this.update(added, page, state);
    this.list(added);
    if (this.tabCount > this.maxTabs) this.forget((this.goneTabs.oldest ?? this.presentTabs.oldest)!.value);
  }

  /** Expires the tabs not heard from for the TTL: O(expired). */
  advance(time: number): void {
    for (const list of [this.presentTabs, this.goneTabs]) {
      for (let node = list.oldest; node && node.value.last + this.ttlMs <= time; node = list.oldest) this.forget(node.value);
    }
  }

  /** The counts that changed since the last call (see SitePresence.takeChanges). */
  takeChanges(): PresenceChange[] {
    const changes: PresenceChange[] = [];
    for (const site of this.sites.values()) {
      if (!site.changed) continue;
      site.takeChanges(changes);
      this.dropIfEmpty(site);
    }
    return changes;
  }

  /**
   * Every tab remembered, as the signals that make it again, oldest first: applied in order to an
   * empty Presence, they give it the same tabs, counts and expiries (a worker started later gets
   * them from the primary, which applies every batch too).
   */
  signalsNow(): PresenceSignal[] {
    const signals: PresenceSignal[] = [];
    for (const list of [this.presentTabs, this.goneTabs]) {
      for (let node = list.oldest; node; node = node.next) {
        const { value: tab } = node;
        const state = !tab.present ? "gone" : tab.held ? "held" : "here";
        signals.push({ time: tab.last, site: tab.site.name, tab: tab.id, page: tab.named, state });
      }
    }
    // Both lists are in time order: merged, the oldest first.
    return signals.sort((a, b) => a.time - b.time);
  }

  /** The sites whose counts changed since the last call: each gets a dashboard frame once, whatever the signals. */
  takeChangedSites(): string[] {
    const sites = [...this.touched];
    this.touched.clear();
    return sites;
  }

  /**
   * A signal older than the tab's last. A tracker's is stale; a socket's is not: the socket was
   * open (or closed) then, whatever the tracker said since, so "held" holds the tab and "released"
   * lets the tracker's own signals decide from then on.
   */
  private late(tab: Tab, page: string, state: PresenceState): void {
    if (state === "held") this.update(tab, tab.present ? tab.named : page, state);
    else if (state === "released") tab.held = false;
  }

  private update(tab: Tab, page: string, state: PresenceState): void {
    if (state === "gone" && tab.held) return;
    if (state === "gone" || state === "released") {
      tab.held = false;
      this.depart(tab);
      return;
    }
    if (state === "held") tab.held = true;
    if (tab.present && tab.named === page) return;
    this.depart(tab);
    tab.named = page;
    tab.page = tab.site.arrive(page);
    tab.present = true;
    this.present++;
    this.touched.add(tab.site.name);
  }

  private depart(tab: Tab): void {
    if (!tab.present) return;
    tab.site.leave(tab.page);
    tab.present = false;
    this.present--;
    this.touched.add(tab.site.name);
  }

  private listOf(present: boolean): RecencyList<Tab> {
    return present ? this.presentTabs : this.goneTabs;
  }

  /** Links a tab in no list as the newest of the list its state puts it in. */
  private list(tab: Tab): void {
    tab.node = this.listOf(tab.present).push(tab);
    tab.listedPresent = tab.present;
  }

  private forget(tab: Tab): void {
    this.listOf(tab.listedPresent).remove(tab.node!);
    this.depart(tab);
    tab.node = null;
    tab.site.tabs.delete(tab.id);
    this.dropIfEmpty(tab.site);
  }

  private dropIfEmpty(site: SitePresence<Tab>): void {
    if (site.empty) this.sites.delete(site.name);
  }
}
