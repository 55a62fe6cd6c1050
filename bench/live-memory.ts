/**
 * What the live figures cost in memory when every cap is full, measured in-process on the Hub:
 * heap per visitor tracked one by one (typical labels, and the worst: four labels of 100
 * characters no one else has), heap per site at its worst (sketch, custom event names, feeds),
 * then everything at once at the given limits. Bounded: it fills the caps once and stops.
 * Run: bun --smol bench/live-memory.ts [max-memory MB] [max-sites]
 */
import { ACTIVE_MS } from "../src/core/stats/active-visitors.ts";
import { DEFAULT_HUB_LIMITS, Hub } from "../src/core/stats/hub.ts";
import { MAX_LABEL_CHARS } from "../src/core/ingest/text.ts";
import { SNAPSHOT_FEED_ITEMS } from "../src/core/wire/protocol.ts";
import type { Hit } from "../src/core/stats/site-stats.ts";
import { DEFAULT_MAX_MEMORY_MB, SITE_BYTES, visitorBytes, visitorMemory } from "../src/core/stats/visitor-budget.ts";
import { SKETCH_BYTES } from "../src/core/stats/visitor-sketch.ts";
import { FILE_DOWNLOAD, MAX_BREAKDOWN_LABELS, OUTBOUND_LINK } from "../src/core/stats/hit-breakdowns.ts";

const MB = 1024 * 1024;
const maxMemoryMb = Number(process.argv[2] ?? DEFAULT_MAX_MEMORY_MB);
const maxSites = Number(process.argv[3] ?? DEFAULT_HUB_LIMITS.maxSites);
const T0 = Math.floor(Date.UTC(2026, 0, 1) / 60_000) * 60_000;
const MINUTES = ACTIVE_MS / 60_000;

function heap(): number {
  Bun.gc(true);
  return process.memoryUsage().heapUsed;
}
const rss = () => process.memoryUsage().rss;

/** A label of 100 characters, one of a kind, stored two bytes a character (the dearest). */
function unique(kind: string, n: number): string {
  const head = `ā${kind}-${n}-`;
  return head + "x".repeat(MAX_LABEL_CHARS - head.length);
}

const PAGES = Array.from({ length: 50 }, (_, i) => `/products/item-${i}`);
function typicalHit(n: number, time: number): Hit {
  return { time, visitor: n * 7919 + 1, name: "pageview", page: PAGES[n % 50]!, source: n % 3 ? "Google" : "Direct / None", browser: "Chrome", os: "Windows", device: "Desktop", country: "FR", props: {} };
}
function worstHit(n: number, time: number): Hit {
  return { time, visitor: n * 7919 + 1, name: "pageview", page: unique("page", n), source: unique("source", n), browser: unique("browser", n), os: unique("os", n), device: "Desktop", country: "FR", props: {} };
}

/** Heap per visitor tracked one by one, on one site, and what the budget charged for it. */
function perVisitor(make: (n: number, time: number) => Hit, count: number): { heap: number; rss: number; charged: number } {
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, visitorMemory: Number.POSITIVE_INFINITY });
  const before = heap();
  const rssBefore = rss();
  for (let n = 0; n < count; n++) hub.record("one.example", make(n, T0 + n));
  hub.tick(T0 + count);
  return { heap: (heap() - before) / count, rss: (rss() - rssBefore) / count, charged: hub.visitorBudget.usedBytes / count };
}

/**
 * Fills every cap of `sites` sites but the visitors': 30 minutes of custom event names (each
 * minute's cap, 100 characters each, with 10 long properties), campaign tags, outbound links and
 * downloads (each list's cap every minute), the feeds; then `visitors` visitors
 * with unique labels, and one more per site past the budget, so every site has its sketch.
 */
function fillSites(hub: Hub, sites: number, visitors: number): number {
  const names = DEFAULT_HUB_LIMITS.maxEventNames;
  for (let minute = 0; minute < MINUTES; minute++) {
    const time = T0 + minute * 60_000;
    for (let s = 0; s < sites; s++) {
      for (let i = 0; i < names; i++) {
        const n = (minute * sites + s) * names + i;
        // Properties of their own every minute: the event properties' cap fills, and the feeds keep the last minute's.
        const props = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [unique(`key${k}`, n), unique(`value${k}`, n)]));
        // One visitor per site, seen every minute, sends them all.
        const site = `site${s}.example`;
        hub.record(site, { ...worstHit(n, time), visitor: s, name: unique("event", n), props });
        if (i >= MAX_BREAKDOWN_LABELS) continue;
        // The campaign, link and download lists' caps: labels of their own every minute.
        hub.record(site, { ...worstHit(n, time), visitor: s, name: OUTBOUND_LINK, props: { url: unique("link", n) } });
        hub.record(site, { ...worstHit(n, time), visitor: s, name: FILE_DOWNLOAD, props: { url: unique("file", n) } });
        const campaign = { source: unique("utm-source", n), medium: unique("utm-medium", n), campaign: unique("utm-campaign", n), content: "", term: "", ref: "" };
        hub.record(site, { ...worstHit(n, time), visitor: s, campaign });
      }
    }
    hub.tick(time + 1000);
    Bun.gc(true);
  }
  const last = T0 + (MINUTES - 1) * 60_000;
  // Visitors with labels of their own until the budget is spent (ids past the senders').
  for (let n = 0; n < visitors; n++) hub.record(`site${n % sites}.example`, worstHit(n + sites, last + 2000 + (n % 50_000)));
  for (let s = 0; s < sites; s++) hub.record(`site${s}.example`, worstHit(2 ** 40 + s, last + 55_000));
  const end = last + 59_000;
  hub.tick(end);
  for (let s = 0; s < sites; s++) hub.snapshot(`site${s}.example`, end);
  return end;
}

function perSite(sites: number): { heap: number; rss: number } {
  // Room for the one visitor per site that sends the events; every other visitor goes into the sketch.
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites: sites, visitorMemory: sites * visitorBytes(worstHit(0, T0)) });
  const before = heap();
  const rssBefore = rss();
  fillSites(hub, sites, 0);
  return { heap: (heap() - before) / sites, rss: (rss() - rssBefore) / sites };
}

const rssStart = rss();
const typical = perVisitor(typicalHit, 100_000);
const worst = perVisitor(worstHit, 100_000);
const site = perSite(50);
const show = ({ heap, rss, charged }: { heap: number; rss: number; charged: number }) => `${heap.toFixed(0)} B heap, ${rss.toFixed(0)} B RSS (charged ${charged.toFixed(0)} B)`;
console.log(`heap per tracked visitor: ${show(typical)} with labels others share, ${show(worst)} with four labels of 100 characters of its own`);
console.log(
  `per site, every cap but visitors full: ${(site.heap / 1024).toFixed(0)} KiB heap, ${(site.rss / 1024).toFixed(0)} KiB RSS (reserved: ${SITE_BYTES / 1024} KiB; its sketch ${(SKETCH_BYTES / 1024).toFixed(0)} KiB, ` +
    `${DEFAULT_HUB_LIMITS.maxEventNames} event names, campaign, link and download lists, event properties, feeds of ${SNAPSHOT_FEED_ITEMS} items with 10 long properties)`,
);

// Everything at once, at the limits --max-memory and --max-sites give.
const memory = visitorMemory(maxMemoryMb * MB, maxSites);
const fit = Math.floor(memory / visitorBytes(worstHit(0, T0)));
const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites, visitorMemory: memory });
const heapBefore = heap();
const rssBefore = rss();
fillSites(hub, maxSites, fit + 1000);
const heapAll = heap() - heapBefore;
console.log(
  `--max-memory ${maxMemoryMb} --max-sites ${maxSites}: ${(memory / MB).toFixed(1)} MB for tracked visitors (${(hub.visitorBudget.usedBytes / MB).toFixed(1)} MB charged, ` +
    `about ${fit} visitors with labels of their own), ${hub.siteCount()} sites, every cap full: ` +
    `heap +${(heapAll / MB).toFixed(1)} MB, RSS +${((rss() - rssBefore) / MB).toFixed(1)} MB (process RSS ${(rss() / MB).toFixed(0)} MB, ${(rssStart / MB).toFixed(0)} MB at start)`,
);
