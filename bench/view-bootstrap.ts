/**
 * Time to the first snapshot of a new filtered view on a site with 30 minutes of history at 1,000
 * pageviews a second (1.8 million hits in its log): `bun bench/view-bootstrap.ts [hits per second]`.
 * In-process, on the Hub; the log and visitors get all the memory they need.
 */
import { Hub } from "../src/core/stats/hub.ts";
import { filtersFromObject, type CanonicalFilters } from "../src/core/wire/view-filters.ts";
import { trafficStream } from "./view-traffic.ts";

const perSecond = Number(process.argv[2] ?? 1000);
const SITE = "busy.test";
const MINUTES = 30;
const start = 1_800_000_000_000;
const count = perSecond * 60 * MINUTES;
const hub = new Hub({ maxSites: 10, maxEventNames: 100, visitorMemory: 2 ** 40, hitLogMemory: 2 ** 40 });
const now = start + MINUTES * 60_000 - 1;
let filled = performance.now();
let recorded = 0;
// One at a time: holding the 1.8 million hits would make every collection slower than a server's.
for (const hit of trafficStream(count, perSecond, start)) {
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

for (const filters of [{ country: "FR" }, { device: "Desktop" }, { page: "/" }, { country: "DE", browser: "Firefox" }, { country: "ZZ" }]) {
  const canonical = filtersFromObject(filters) as CanonicalFilters;
  // The collector's debt from the fill is not the view's: start each from a clean heap.
  Bun.gc(true);
  const began = performance.now();
  const opening = hub.openView(SITE, canonical, now);
  const ms = performance.now() - began;
  if (!("snapshot" in opening)) throw new Error(opening.refused);
  const visitors = (JSON.parse(opening.snapshot) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m;
  console.log(`new view ${canonical.key.padEnd(28)} first snapshot in ${ms.toFixed(0).padStart(4)} ms (${visitors.toLocaleString("en")} visitors in 30 minutes)`);
}
