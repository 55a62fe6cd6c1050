import type { VisitorHit } from "./active-visitors.ts";

/**
 * The memory all sites together may give to visitors tracked one by one. Past it, a site counts
 * its new visitors in a fixed-size sketch instead, so memory stays flat whatever arrives.
 * Each visitor is charged what bench/live-memory.ts measured it to take, by the length of its labels
 * (see docs/benchmarks.md#live-memory-budget).
 */
export class VisitorBudget {
  usedBytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Reserves `bytes` for one tracked visitor; false when they do not fit. */
  take(bytes: number): boolean {
    if (this.usedBytes + bytes > this.maxBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** A tracked visitor's labels changed length (a move to another page): never refused. */
  adjust(deltaBytes: number): void {
    this.usedBytes += deltaBytes;
  }

  release(bytes: number): void {
    this.usedBytes -= bytes;
  }
}

/**
 * What a tracked visitor adds to the process's resident memory, less its labels: its slots in the
 * columns and the id table (at most 2.5 slots a visitor, about 310 bytes: see ActiveVisitors), a
 * counter entry for each label it brings, and the allocator's slack around them: above what
 * bench/live-memory.ts measured for labels others share.
 */
export const VISITOR_BYTES = 384;
/**
 * Per character of its labels: the strings, two bytes a character at worst, and the counter entries
 * of labels no one else has: above what bench/live-memory.ts measured for long labels of a
 * visitor's own. Whole bytes, so that sums stay exact.
 */
export const VISITOR_LABEL_CHAR_BYTES = 5;

/** What tracking this visitor one by one costs: an upper bound of the memory it takes. */
export function visitorBytes(hit: VisitorHit): number {
  return labelledVisitorBytes(hit.page.length + hit.source.length + hit.browser.length + hit.os.length + hit.device.length + hit.country.length);
}

/** What tracking a visitor whose labels are `chars` characters long costs. */
export function labelledVisitorBytes(chars: number): number {
  return VISITOR_BYTES + VISITOR_LABEL_CHAR_BYTES * chars;
}

/** --max-memory's default, in MB: room for the live figures of each server process. */
export const DEFAULT_MAX_MEMORY_MB = 192;

/**
 * The most one site takes besides its tracked visitors, every other cap full: its sketch, custom
 * event names, campaign, link, download and property lists, series, feeds with long properties and
 * last frames; above what bench/live-memory.ts measured for such a site (its hit log included,
 * although the log is also held to its own share: see docs/benchmarks.md#live-memory-budget).
 */
export const SITE_BYTES = 1024 * 1024;

/** Less room than this for tracked visitors is a mistake in the settings, refused at start-up. */
export const MIN_VISITOR_MEMORY = 8 * 1024 * 1024;

/** What is left for tracked visitors in `maxMemoryBytes` once every site allowed holds all it may. */
export function visitorMemory(maxMemoryBytes: number, maxSites: number): number {
  return Math.max(0, maxMemoryBytes - maxSites * SITE_BYTES);
}
