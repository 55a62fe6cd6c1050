import type { Campaign } from "../ingest/accepted-event.ts";
import { SNAPSHOT_FEED_ITEMS, type FeedItem, type Stats } from "../wire/protocol.ts";
import type { ViewFilters } from "../wire/view-filters.ts";
import { AT, CHUNK_HITS, CHUNK_SHIFT, DIMENSIONS, type Chunk, type HitLog } from "./hit-log.ts";
import { ENGAGEMENT, feedItemOf, PAGEVIEW, type Hit, type SiteStats } from "./site-stats.ts";
import { MatchedHits } from "./matched-visitors.ts";

/** Which logged hits a view is built from: those with `from < time <= to` that match every filter. */
export interface LogRange {
  filters: ViewFilters;
  from: number;
  to: number;
  /**
   * With an open `to`: the time the caller will move the figures on to. Visitors already past
   * "now" then are loaded without a place among the current ones, which they would lose at once.
   */
  asOf?: number;
}

/** What one pass over the log leaves: the matching hits and their visitors, the first hits' labels tallied. */
interface Scan {
  hits: MatchedHits;
  /** In COUNTED's order: the pages of the current visitors' last hits (tallied later), the rest of their first. */
  tallies: Int32Array[];
}

/** How much later than the hits after it a logged hit may be stamped (another process's clock). */
export const LATE_HITS_MS = 60_000;

const NO_PROPS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const CHUNK_MASK = CHUNK_HITS - 1;

/**
 * A view's figures as if it had recorded the matching hits of `range` one by one: the pageviews
 * and events are counted as the scan meets them, while visitors are only noted (an index over
 * typed arrays), then each loaded once with the labels of their first hit and the page of their
 * last, in the order of their last hits. That ends where recording the hits would, at a fraction
 * of the cost: most hits are a visitor's second or later, and labels are compared as codes and
 * looked up once per visitor. When the visitors' budget runs out, the hits are recorded one by one
 * into a fresh `newStats()` instead, so that the sketch sees them as it would have.
 */
export function viewFromLog(log: HitLog, range: LogRange, newStats: () => SiteStats): SiteStats {
  return builtFrom(scanView(log, range, newStats), newStats);
}

/** `viewFromLog` once its scan is done: the visitors loaded, the lists counted, the feed seeded. */
export function builtFrom(scanned: ScannedView, newStats: () => SiteStats): SiteStats {
  const { log, range, stats } = scanned;
  if (!scanned.scan) return stats;
  const { chunks, scan } = scanned.scan;
  if (!loadVisitors(log, chunks, scan, stats, scanned.currentAfter, true)) return hitByHit(log, range, newStats, stats);
  countTallies(log, scan.tallies, stats);
  stats.seedFeed(feedOf(log, chunks, scan.hits));
  // Up to `to`; an open end (a bootstrap's) leaves that to the caller, which knows its now.
  if (Number.isFinite(range.to)) stats.advance(range.to);
  return stats;
}

/**
 * A view whose hits are scanned and counted, and whose visitors are noted but not yet loaded (see
 * `figuresBeforeLoad` and `loadScanned`). It reads the log's chunks as they were: it is good until
 * the log drops a chunk (HitLog.drops), which may free the codes it holds.
 */
export interface ScannedView {
  readonly log: HitLog;
  readonly range: LogRange;
  /** Pageviews and events counted; no visitor yet. */
  readonly stats: SiteStats;
  /** Distinct visitors of the matching hits: what loading them costs. */
  readonly visitors: number;
  readonly currentAfter: number;
  readonly drops: number;
  readonly scan: { chunks: Chunk[]; scan: Scan } | undefined;
}

/** One pass over the log for a view's range: its hits counted into a fresh `newStats()`, its visitors noted. */
export function scanView(log: HitLog, range: LogRange, newStats: () => SiteStats): ScannedView {
  const drops = log.drops;
  const stats = newStats();
  const scan = scanRange(log, range, stats);
  const asOf = Number.isFinite(range.to) ? range.to : (range.asOf ?? Number.NEGATIVE_INFINITY);
  return { log, range, stats, visitors: scan?.scan.hits.visitors ?? 0, currentAfter: asOf - stats.visitors.recentMs, drops, scan };
}

/**
 * A scanned view's figures at `time` (its `range.asOf`), exact, before any visitor is loaded: the
 * visitors are tallied into the lists as `figuresFromLog` does, and the feed seeded. The first
 * snapshot of a large view need not wait for its visitors: `loadScanned` loads them afterwards,
 * with the lists already counted.
 */
export function figuresBeforeLoad(scanned: ScannedView, time: number): Stats {
  const { log, stats } = scanned;
  stats.advance(time);
  if (!scanned.scan) return stats.stats(time);
  const { chunks, scan } = scanned.scan;
  const current = tallyCurrent(chunks, scan, scanned.currentAfter);
  countTallies(log, scan.tallies, stats);
  stats.seedFeed(feedOf(log, chunks, scan.hits));
  const figures = stats.stats(time);
  figures.visitors = { last5m: current, last30m: scan.hits.visitors, capped: false };
  return figures;
}

/**
 * Loads the visitors of a view whose figures `figuresBeforeLoad` gave: its SiteStats then goes on
 * as if it had recorded every hit. False when it cannot: the log dropped a chunk since the scan,
 * or the visitors' budget has no room; the caller then builds the view again (`viewFromLog`).
 */
export function loadScanned(scanned: ScannedView): boolean {
  if (!scanned.scan) return true;
  if (scanned.log.drops !== scanned.drops) return false;
  const { chunks, scan } = scanned.scan;
  if (loadVisitors(scanned.log, chunks, scan, scanned.stats, scanned.currentAfter, false)) return true;
  scanned.stats.visitors.forgetAll();
  return false;
}

/**
 * The figures a view showed at `range.to` and its feed then, for a rewind: what `viewFromLog` ends
 * with, but its visitors are only tallied, never loaded one by one into a SiteStats that could go
 * on. That was half a build's time, and a rewind shows its figures once. The counts are exact: no
 * visitor budget is spent, so none runs out. `stats` is a fresh SiteStats of the view's window.
 */
export function figuresFromLog(log: HitLog, range: LogRange, stats: SiteStats): { stats: Stats; feed: FeedItem[] } {
  const figures = figuresBeforeLoad(scanView(log, range, () => stats), range.to);
  return { stats: figures, feed: [...stats.recentFeed()] };
}

/** One pass over the log's chunks that reach into the range; undefined when a filter value is in no logged hit. */
function scanRange(log: HitLog, range: LogRange, stats: SiteStats): { chunks: Chunk[]; scan: Scan } | undefined {
  const wanted = log.wantedCodes(range.filters);
  if (!wanted) return undefined;
  // From the first chunk that reaches into the range: places (a chunk's index * CHUNK_HITS + a hit's) count from there.
  const first = log.chunks.findIndex((chunk) => chunk.length > 0 && chunk.time[chunk.length - 1]! > range.from);
  const chunks = first === -1 ? [] : log.chunks.slice(first);
  return { chunks, scan: scanLog(log, chunks, wanted, range, stats) };
}

/** Counts the matching hits' pageviews and events into `stats`, notes their visitors and tallies the labels of each one's first hit, in one pass. */
function scanLog(log: HitLog, chunks: readonly Chunk[], wanted: Int32Array, { from, to }: LogRange, stats: SiteStats): Scan {
  const hits = new MatchedHits(log.slotCount, Math.min(65_536, chunks.length * CHUNK_HITS));
  const tallies = COUNTED.map(({ at }) => new Int32Array(log.codeCount(at)));
  const [, sources, browsers, os, devices, countries] = tallies as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  const pageview = log.codeOf(AT.name, PAGEVIEW);
  const engagement = log.codeOf(AT.name, ENGAGEMENT);
  // The filtered dimensions and their codes, so that the loop compares only those.
  const filtered: number[] = [];
  const codesWanted: number[] = [];
  for (let d = 0; d < DIMENSIONS; d++) {
    if (wanted[d] === -1) continue;
    filtered.push(d);
    codesWanted.push(wanted[d]!);
  }
  // One hit object for countHit, which reads its time, name, campaign and properties.
  const hit: Hit = { time: 0, visitor: 0, name: "", page: "", source: "", browser: "", os: "", device: "", country: "", props: NO_PROPS, campaign: undefined };
  // A run of pageviews in one second, counted when a hit falls outside it.
  let runStart = Number.NaN;
  let runCount = 0;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const { time, codes, slot, length, extraAt } = chunk;
    if (length === 0 || time[length - 1]! <= from) continue;
    // The log is in the order hits arrived, give or take the clocks of other processes: a chunk
    // that starts well past the end holds none of the range, nor do those after it.
    if (time[0]! > to + LATE_HITS_MS) break;
    let extra = 0;
    next: for (let i = 0; i < length; i++) {
      const at = time[i]!;
      if (at <= from || at > to) continue;
      const base = i * DIMENSIONS;
      for (let w = 0; w < filtered.length; w++) if (codes[base + filtered[w]!] !== codesWanted[w]) continue next;
      if (hits.add((c << CHUNK_SHIFT) | i, slot[i]!)) {
        const source = codes[base + AT.source]!;
        const browser = codes[base + AT.browser]!;
        const system = codes[base + AT.os]!;
        const device = codes[base + AT.device]!;
        const country = codes[base + AT.country]!;
        hits.noteFirst(slot[i]!, source, browser, system, device, country);
        sources[source]!++;
        browsers[browser]!++;
        os[system]!++;
        devices[device]!++;
        countries[country]!++;
      }
      const name = codes[base + AT.name]!;
      if (name === engagement) {
        stats.dirty = true;
        continue;
      }
      while (extra < extraAt.length && extraAt[extra]! < i) extra++;
      const carried = extraAt[extra] === i ? chunk.extras[extra] : undefined;
      if (name === pageview && carried === undefined) {
        // Most hits: counted a second at a time, which is all the figures tell apart.
        if (!(at >= runStart && at < runStart + 1000)) {
          if (runCount > 0) stats.countPageviews(runStart, runCount);
          runStart = Math.floor(at / 1000) * 1000;
          runCount = 0;
        }
        runCount++;
      } else {
        if (runCount > 0) stats.countPageviews(runStart, runCount);
        runCount = 0;
        hit.time = at;
        hit.visitor = chunk.visitor[i]!;
        hit.name = log.labelOf(AT.name, name);
        hit.campaign = name === pageview ? (carried as Campaign) : undefined;
        hit.props = name !== pageview && carried ? (carried as Record<string, string>) : NO_PROPS;
        stats.countHit(hit);
      }
    }
  }
  if (runCount > 0) stats.countPageviews(runStart, runCount);
  hits.findLastHits();
  return { hits, tallies };
}

/** The counters a visitor is counted in, and the label of theirs each counts: the page of their last hit, the rest of their first. */
const COUNTED = [
  { counter: "pages", at: AT.page },
  { counter: "sources", at: AT.source },
  { counter: "browsers", at: AT.browser },
  { counter: "os", at: AT.os },
  { counter: "devices", at: AT.device },
  { counter: "countries", at: AT.country },
] as const;

/**
 * Loads each visitor once, in the order of their last hits (with the labels of their first and the
 * page of their last), uncounted: the lists are counted from the tallies, a label at a time
 * (hundreds of thousands of visitors share a few hundred labels). With `tallyPages`, tallies the
 * pages of the current ones on the way. False when the budget has no room.
 */
function loadVisitors(log: HitLog, chunks: readonly Chunk[], { hits, tallies }: Scan, stats: SiteStats, currentAfter: number, tallyPages: boolean): boolean {
  const visitors = stats.visitors;
  visitors.beginLoad(hits.visitors);
  const [pages, source, browser, os, device, country] = COUNTED.map(({ at }) => log.labels(at));
  const pageTally = tallies[0]!;
  for (let k = 0; k < hits.count; k++) {
    const firsts = hits.lastOf(k);
    if (firsts < 0) continue;
    const place = hits.places[k]!;
    const chunk = chunks[place >>> CHUNK_SHIFT]!;
    const i = place & CHUNK_MASK;
    const page = chunk.codes[i * DIMENSIONS + AT.page]!;
    const current = chunk.time[i]! > currentAfter;
    const loaded = visitors.load(
      chunk.visitor[i]!,
      chunk.time[i]!,
      pages![page]!,
      source![hits.firstCode(firsts, 0)]!,
      browser![hits.firstCode(firsts, 1)]!,
      os![hits.firstCode(firsts, 2)]!,
      device![hits.firstCode(firsts, 3)]!,
      country![hits.firstCode(firsts, 4)]!,
      current,
    );
    if (!loaded) return false;
    if (current && tallyPages) pageTally[page]!++;
  }
  visitors.endLoad();
  return true;
}

/** Adds tallied codes to the visitors' counters, a label at a time. */
function countTallies(log: HitLog, tallies: readonly Int32Array[], stats: SiteStats): void {
  COUNTED.forEach(({ counter, at }, k) => {
    const tally = tallies[k]!;
    for (let code = 0; code < tally.length; code++) if (tally[code]! > 0) stats.visitors[counter].add(log.labelOf(at, code), tally[code]);
  });
}

/** Tallies the pages of the visitors whose last hit came after `currentAfter` (the current visitors) and returns how many they are. */
function tallyCurrent(chunks: readonly Chunk[], { hits, tallies }: Scan, currentAfter: number): number {
  const pageTally = tallies[0]!;
  let current = 0;
  for (let k = 0; k < hits.count; k++) {
    if (hits.lastOf(k) < 0) continue;
    const place = hits.places[k]!;
    const chunk = chunks[place >>> CHUNK_SHIFT]!;
    const i = place & CHUNK_MASK;
    if (chunk.time[i]! <= currentAfter) continue;
    current++;
    pageTally[chunk.codes[i * DIMENSIONS + AT.page]!]!++;
  }
  return current;
}

/** The newest counted hits (engagement is not) as feed items, oldest first, with their properties. */
function feedOf(log: HitLog, chunks: readonly Chunk[], hits: MatchedHits): FeedItem[] {
  const engagement = log.codeOf(AT.name, ENGAGEMENT);
  const items: FeedItem[] = [];
  for (let k = hits.count - 1; k >= 0 && items.length < SNAPSHOT_FEED_ITEMS; k--) {
    const chunk = chunks[hits.places[k]! >>> CHUNK_SHIFT]!;
    const i = hits.places[k]! & CHUNK_MASK;
    if (chunk.codes[i * DIMENSIONS + AT.name] !== engagement) items.push(feedItemOf(log.hitAt(chunk, i)));
  }
  return items.reverse();
}

function hitByHit(log: HitLog, range: LogRange, newStats: () => SiteStats, partial: SiteStats): SiteStats {
  partial.visitors.forgetAll();
  const stats = newStats();
  log.replay(range.filters, range.from, range.to, (hit) => stats.restore(hit));
  if (Number.isFinite(range.to)) stats.advance(range.to);
  return stats;
}
