/**
 * Time to the first snapshot of a new view, and to the figures of a rewind, on a site with an hour
 * of history at 1,000 pageviews a second (3.6 million hits in its log, 1.8 million and about 320,000
 * visitors in a 30-minute window): `bun bench/view-bootstrap.ts [hits per second]`. In-process, on the Hub; the log and
 * visitors get all the memory they need.
 */
import { firstPublished, publishedSnapshot } from "../src/core/stats/frame-sequence.ts";
import { Hub } from "../src/core/stats/hub.ts";
import { SiteStats } from "../src/core/stats/site-stats.ts";
import type { SiteViews } from "../src/core/stats/site-views.ts";
import { figuresBeforeLoad, loadScanned, scanView } from "../src/core/stats/view-history.ts";
import { filtersFromObject, NO_FILTERS, viewOf, WHOLE_SITE, type CanonicalFilters } from "../src/core/wire/view-filters.ts";
import { trafficStream } from "./view-traffic.ts";

const perSecond = Number(process.argv[2] ?? 1000);
const SITE = "busy.test";
const MINUTES = 60;
const WINDOW_MS = 30 * 60_000;
const start = 1_800_000_000_000;
const count = perSecond * 60 * MINUTES;
const hub = new Hub({ maxSites: 10, maxEventNames: 100, visitorMemory: 2 ** 40, hitLogMemory: 2 ** 40 });
const now = start + MINUTES * 60_000 - 1;
let filled = performance.now();
let recorded = 0;
// One at a time: holding the millions of hits would make every collection slower than a server's.
// As many visitors in any 30 minutes as 30 minutes of such traffic bring: each makes about five hits in them.
const visitors = Math.round(((perSecond * WINDOW_MS) / 1000 / 5) * 0.9);
for (const hit of trafficStream(count, perSecond, start, 1, visitors)) {
  hub.record(SITE, hit);
  if (++recorded % perSecond === 0) hub.tick(hit.time);
}
hub.tick(now);
filled = performance.now() - filled;
console.log(`history: ${count.toLocaleString("en")} hits over ${MINUTES} minutes, recorded in ${(filled / 1000).toFixed(1)} s`);

// The code a view is built with runs once per view: warm it up on a small site first, as a server
// that has opened any view before has.
for (const hit of trafficStream(60_000, 1000, start, 2)) hub.record("warm-up.test", hit);
hub.openView("warm-up.test", filtersFromObject({ country: "FR" }) as CanonicalFilters, start + 60_000);

const row = (label: string, ms: number, visitors: number) =>
  console.log(`${label.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms (${visitors.toLocaleString("en")} visitors in the window)`);

for (const filters of [{ country: "FR" }, { device: "Desktop" }, { page: "/" }, { country: "DE", browser: "Firefox" }, { country: "ZZ" }]) {
  const canonical = filtersFromObject(filters) as CanonicalFilters;
  // The collector's debt from the fill is not the view's: start each from a clean heap.
  Bun.gc(true);
  const began = performance.now();
  const opening = hub.openView(SITE, canonical, now);
  const ms = performance.now() - began;
  if (!("snapshot" in opening)) throw new Error(opening.refused);
  row(`new view ${canonical.key}`, ms, visitorsOf(opening.snapshot));
  // A large view loads its visitors at the next tick, which takes that much longer.
  Bun.gc(true);
  const ticked = performance.now();
  hub.tick(now);
  row(`  the next tick, its visitors loaded`, performance.now() - ticked, visitorsOf(opening.snapshot));
}

// The whole site from its log, as a view with no filter, built as a large view's opening builds
// it: the figures and the first snapshot, then its visitors loaded at the next tick. (The whole
// site over 30 minutes is the site's own figures; a view over a shorter window is built so.)
const log = (hub as unknown as { views: Map<string, SiteViews> }).views.get(SITE)!.log;
Bun.gc(true);
let began = performance.now();
const scanned = scanView(log, { filters: {}, from: now - WINDOW_MS, to: Number.POSITIVE_INFINITY, asOf: now }, () => new SiteStats(SITE));
const head = { site: SITE, filters: {} };
const snapshot = publishedSnapshot(head, firstPublished(figuresBeforeLoad(scanned, now), now, now), scanned.stats);
row("new view, no filter (whole site)", performance.now() - began, visitorsOf(snapshot));
Bun.gc(true);
began = performance.now();
if (!loadScanned(scanned)) throw new Error("the whole site's visitors did not load");
row("  its visitors loaded", performance.now() - began, scanned.stats.visitors.tracked);

// Rewinds as a dashboard asks for them: Hub.rewind, to the encoded frame.
for (const [label, view] of [
  ["whole site", WHOLE_SITE],
  ["country=FR", filtersFromObject({ country: "FR" }) as CanonicalFilters],
  ["whole site, 5-min window", viewOf(NO_FILTERS, 5)],
] as const) {
  for (const minutes of [1, 15, 30]) {
    Bun.gc(true);
    began = performance.now();
    const frame = hub.rewind(SITE, view, now - minutes * 60_000, now);
    row(`rewind, ${label}, ${minutes} min back`, performance.now() - began, visitorsOf(frame));
  }
}

function visitorsOf(frame: string): number {
  return (JSON.parse(frame) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m;
}
