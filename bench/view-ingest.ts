/**
 * What filtered views cost ingest: ns per hit for `hub.record` on one site with no filtered view
 * and with sixteen (bench/view-traffic.ts), and the ratio. In-process; ticks run between batches
 * and are not timed. `bun bench/view-ingest.ts [hits] [rounds]`
 */
import { Hub } from "../src/core/stats/hub.ts";
import { filtersFromObject, type CanonicalFilters } from "../src/core/wire/view-filters.ts";
import { SIXTEEN_VIEWS, trafficHits } from "./view-traffic.ts";

const HITS = Number(process.argv[2] ?? 600_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const PER_SECOND = 1000;
const SITE = "busy.test";
const start = 1_800_000_000_000;
const hits = trafficHits(HITS, PER_SECOND, start);

/** ns per recorded hit, over the second half of the hits (the first half fills the windows). */
function nsPerHit(views: number): number {
  const hub = new Hub({ maxSites: 10, maxEventNames: 100, visitorMemory: 2 ** 40, hitLogMemory: 2 ** 40 });
  hub.record(SITE, hits[0]!);
  for (const filters of SIXTEEN_VIEWS.slice(0, views)) hub.openView(SITE, filtersFromObject(filters) as CanonicalFilters, start);
  let timed = 0;
  const batch = PER_SECOND / 4;
  for (let from = 0; from < hits.length; from += batch) {
    const began = performance.now();
    for (let i = from; i < from + batch; i++) hub.record(SITE, hits[i]!);
    if (from >= hits.length / 2) timed += performance.now() - began;
    hub.tick(hits[from + batch - 1]!.time);
  }
  return (timed * 1e6) / (hits.length / 2);
}

const results: Array<[number, number]> = [];
for (let round = 0; round < ROUNDS; round++) results.push([nsPerHit(0), nsPerHit(16)]);
const best = (i: 0 | 1) => Math.min(...results.map((r) => r[i]));
console.log(`hub.record, ${HITS.toLocaleString("en")} hits at ${PER_SECOND}/s, best of ${ROUNDS}:`);
console.log(`  no filtered view: ${best(0).toFixed(0)} ns/hit`);
console.log(`  16 filtered views: ${best(1).toFixed(0)} ns/hit`);
console.log(`  ratio: ${(best(1) / best(0)).toFixed(2)}`);
