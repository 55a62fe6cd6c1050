/**
 * Presence: the tabs that have a page of a site open right now (docs/protocol.md, "Presence").
 * What the live widget reads of it, and the signals that change it; `Presence` implements both.
 */

/** One count that changed: the tabs present on a page, or on the whole site when `page` is null. */
export interface PresenceChange {
  site: string;
  page: string | null;
  count: number;
}

export interface PresenceCounts {
  siteCount(site: string): number;
  pageCount(site: string, page: string): number;
  /** The page a tab is present on, or null while it is not present. */
  pageOf(site: string, tab: string): string | null;
  /** The counts that changed since the last call, each (site, page) once with its count now. */
  takeChanges(): Iterable<PresenceChange>;
}

/**
 * What moves a tab: "here" and "gone" from the tracker, "held" and "released" from the server for
 * a live-widget socket, which keeps its tab present exactly while it is open.
 */
export interface PresenceSignal {
  time: number;
  site: string;
  tab: string;
  page: string;
  state: "here" | "gone" | "held" | "released";
}
