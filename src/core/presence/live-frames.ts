/**
 * What live widgets receive: a count, on the topic of a page or of a whole site. A frame is the
 * scope's letter and the count in decimal (`p12`, `s37`): one socket may watch both scopes of its
 * page, and a frame published to a topic cannot say more than the topic's own count.
 */
import type { Publication } from "../stats/hub.ts";
import type { PresenceChange, PresenceCounts } from "./presence-counts.ts";

export type LiveScope = "page" | "site" | "both";

const TOPIC_PREFIX = "live:";

/** `live:<site>` for the whole site, `live:<site>|<page>` for a page (a site name holds no `|`). */
export function liveTopic(site: string, page: string | null): string {
  return page === null ? TOPIC_PREFIX + site : `${TOPIC_PREFIX}${site}|${page}`;
}

export function liveFrame(page: string | null, count: number): string {
  return (page === null ? "s" : "p") + count;
}

/** Whether anyone on this process watches a topic (the transport's shards know). */
export interface WatchedTopics {
  isWatched(topic: string): boolean;
}

/**
 * Once per interval, the changed counts of watched topics become one frame per topic. A count is
 * published only when it differs from the last one its topic got, so a tab that leaves and comes
 * back within the interval costs nothing. O(changes) per interval.
 */
export class LiveFrames {
  /** The last count each watched topic got (published, or sent to its first socket). */
  private readonly lastCounts = new Map<string, number>();
  private lastPublished = Number.NEGATIVE_INFINITY;
  /**
   * Topics where a new socket was sent another count than the topic's last: the next publication
   * goes out whatever the count, or a count back to the last one would leave that socket wrong.
   */
  private readonly unsettled = new Map<string, { site: string; page: string | null }>();

  constructor(
    private readonly counts: PresenceCounts,
    private readonly watched: WatchedTopics,
    private readonly intervalMs: number,
  ) {}

  /**
   * The count a socket gets at once when it starts watching `page` of `site` (null: the whole
   * site), as a frame. It counts the socket's own tab: its "held" goes over the bus and is counted
   * from the next batch on, but the reader is there now.
   */
  current(site: string, page: string | null, tab: string): string {
    const on = this.counts.pageOf(site, tab);
    const counted = page === null ? on !== null : on === page;
    const count = (page === null ? this.counts.siteCount(site) : this.counts.pageCount(site, page)) + (counted ? 0 : 1);
    const topic = liveTopic(site, page);
    const last = this.lastCounts.get(topic);
    if (last === undefined) this.lastCounts.set(topic, count);
    else if (last !== count) this.unsettled.set(topic, { site, page });
    return liveFrame(page, count);
  }

  /** Forgets a topic nobody watches any more. */
  unwatched(topic: string): void {
    this.lastCounts.delete(topic);
    this.unsettled.delete(topic);
  }

  /** The frames due at `time`: none until an interval has passed since the last publication. */
  take(time: number): Publication[] {
    if (time - this.lastPublished < this.intervalMs) return [];
    this.lastPublished = time;
    const publications: Publication[] = [];
    for (const change of this.counts.takeChanges()) {
      const publication = this.publicationOf(change);
      if (publication) publications.push(publication);
    }
    for (const { site, page } of this.unsettled.values()) {
      const count = page === null ? this.counts.siteCount(site) : this.counts.pageCount(site, page);
      const publication = this.publicationOf({ site, page, count });
      if (publication) publications.push(publication);
    }
    this.unsettled.clear();
    return publications;
  }

  private publicationOf({ site, page, count }: PresenceChange): Publication | null {
    const topic = liveTopic(site, page);
    if (!this.watched.isWatched(topic)) return null;
    const unsettled = this.unsettled.delete(topic);
    if (this.lastCounts.get(topic) === count && !unsettled) return null;
    this.lastCounts.set(topic, count);
    return { topic, data: liveFrame(page, count) };
  }
}
