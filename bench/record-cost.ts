/**
 * What `Hub.record` costs per hit, in-process: a mix of ordinary pageviews, pageviews that landed
 * from a tagged link, outbound link clicks, file downloads and custom events with properties, on
 * 10 sites, from 5,000 returning visitors; with `pageviews`, ordinary pageviews only. A few seconds.
 * Run: bun bench/record-cost.ts [hits] [pageviews]
 */
import { Hub } from "../src/core/stats/hub.ts";
import { hitOf } from "../src/core/stats/site-stats.ts";
import type { AcceptedEvent } from "../src/core/ingest/accepted-event.ts";

const HITS = Number(process.argv[2] ?? 2_000_000);
const T0 = Math.floor(Date.UTC(2026, 0, 1) / 60_000) * 60_000;
const NO_PROPS: Record<string, string> = {};

const PAGEVIEWS_ONLY = process.argv[3] === "pageviews";

function eventOf(n: number): AcceptedEvent {
  const kind = PAGEVIEWS_ONLY ? 0 : n % 10;
  const page = `/products/item-${n % 50}`;
  const base: AcceptedEvent = {
    time: 0, site: `site${n % 10}.example`, name: "pageview", visitor: (n % 5000) * 7919 + 1, url: `https://shop.example${page}`, path: page,
    referrer: "", source: n % 3 ? "Google" : "Direct / None", browser: "Chrome", os: "Windows", device: "Desktop", country: "FR", props: NO_PROPS,
  };
  if (kind === 1) base.campaign = { source: "newsletter", medium: "email", campaign: `winter-${n % 5}`, content: "", term: "", ref: "" };
  if (kind === 2) Object.assign(base, { name: "Outbound Link: Click", props: { url: `https://partner.example/${n % 20}` } });
  if (kind === 3) Object.assign(base, { name: "File Download", props: { url: `https://shop.example/files/catalogue-${n % 5}.pdf` } });
  if (kind === 4) Object.assign(base, { name: "Signup", props: { plan: n % 2 ? "pro" : "free", trial: "yes" } });
  return base;
}

const events = Array.from({ length: 10_000 }, (_, n) => eventOf(n));
const hub = new Hub();

function run(count: number, from: number): number {
  const start = Bun.nanoseconds();
  for (let i = 0; i < count; i++) {
    const event = events[i % events.length]!;
    event.time = from + Math.floor(i / 1000);
    hub.record(event.site, hitOf(event));
    // A tick every 10,000 hits keeps the pending feeds as the server's are.
    if (i % 10_000 === 9_999) hub.tick(event.time);
  }
  return (Bun.nanoseconds() - start) / count;
}

run(200_000, T0);
const perHit = run(HITS, T0 + 200);
console.log(`Hub.record: ${perHit.toFixed(0)} ns per hit over ${HITS.toLocaleString("en")} ${PAGEVIEWS_ONLY ? "pageviews" : "hits of the mix"}`);
