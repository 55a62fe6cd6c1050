import { ACTIVE_MS } from "./active-visitors.ts";

/** Sites kept out of the live figures that are remembered at once: a fixed, small memory. */
export const WAITING_SITES = 64;
/** Distinct visitors remembered per waiting site: more than any live site's count it must beat, in practice. */
export const MAX_WAITING_VISITORS = 1000;

interface Waiting {
  visitors: Set<number>;
  lastSeen: number;
}

/**
 * The sites the live site cap keeps out, each with the distinct visitors it has shown while kept
 * out, so that one with real visitors can take the place of a live site with fewer. When full, a
 * newcomer takes the place of the waiting site with the fewest visitors (the oldest of equals).
 */
export class WaitingSites {
  private readonly sites = new Map<string, Waiting>();

  /** Notes a hit of a site kept out; returns its distinct visitors so far. */
  note(site: string, visitor: number, time: number): number {
    let waiting = this.sites.get(site);
    if (!waiting) {
      if (this.sites.size >= WAITING_SITES) this.sites.delete(this.leastVisited()!);
      waiting = { visitors: new Set(), lastSeen: time };
      this.sites.set(site, waiting);
    }
    waiting.lastSeen = Math.max(waiting.lastSeen, time);
    if (waiting.visitors.size < MAX_WAITING_VISITORS) waiting.visitors.add(visitor);
    return waiting.visitors.size;
  }

  forget(site: string): void {
    this.sites.delete(site);
  }

  /** Forgets the sites not seen for the live window. Cost: O(waiting sites), a fixed bound. */
  expire(time: number): void {
    for (const [site, waiting] of this.sites) if (waiting.lastSeen <= time - ACTIVE_MS) this.sites.delete(site);
  }

  /** The first of those with the fewest visitors; one visitor is the fewest there are, so a flood of them is O(1) each. */
  private leastVisited(): string | undefined {
    let least: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [site, { visitors }] of this.sites) {
      if (visitors.size <= 1) return site;
      if (visitors.size < fewest) {
        least = site;
        fewest = visitors.size;
      }
    }
    return least;
  }
}
