import { describe, expect, test } from "bun:test";
import { Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import { Ingestor } from "../../../src/core/ingest/ingest.ts";
import type { SnapshotFrame, TickFrame } from "../../../src/core/wire/protocol.ts";
import { hitOf } from "../../../src/core/stats/site-stats.ts";
import { visitorBytes } from "../../../src/core/stats/visitor-budget.ts";
import { DailySalts } from "../../../src/core/ingest/visitor-id.ts";

const T0 = 20_000 * 86_400_000 + 3_600_000;
const SITES = Array.from({ length: 10 }, (_, i) => `flood${i}.test`);
const floodVisitor = (page: string) => visitorBytes({ page, source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "Unknown" });
/** Room for 2,000 of the flood's visitors; its pages are /p/0 to /p/49, so at most this many fit. */
const BUDGET = 2000;
const LIMITS = { maxSites: 100, visitorMemory: BUDGET * floodVisitor("/p/10"), maxEventNames: 10 };
const MOST_TRACKED = Math.floor(LIMITS.visitorMemory / floodVisitor("/p/0"));
/** Each request: a User-Agent never seen before, naming all 10 sites. */
const REQUESTS = 3000;

/** Sends the flood through the real ingest path; returns every (site, visitor) it made. */
function flood(hub: Hub, requests: number): Array<{ site: string; visitor: number }> {
  const made: Array<{ site: string; visitor: number }> = [];
  const ingestor = new Ingestor(hub, {
    salts: new DailySalts((length) => new Uint8Array(length).fill(7)),
    onAccepted: (event) => {
      made.push(event);
      hub.record(event.site, hitOf(event));
    },
  });
  for (let i = 0; i < requests; i++) {
    ingestor.ingest({
      body: JSON.stringify({ n: "pageview", u: `https://${SITES[0]}/p/${i % 50}`, d: SITES.join(",") }),
      userAgent: `Mozilla/5.0 (X11; Linux x86_64; rv:${i}) Gecko/20100101 Firefox/${i}.0`,
      ip: "198.51.100.7",
      time: T0 + i,
    });
  }
  return made;
}

describe("memory bounds under a flood of fresh visitors across 10 sites", () => {
  test("the visitors tracked one by one never pass the budget of all sites together", () => {
    const hub = new Hub(LIMITS);
    const made = flood(hub, REQUESTS);
    expect(made.length).toBe(10 * REQUESTS);
    // Counted with the hub's own membership test, which exists whatever the bookkeeping.
    const tracked = made.filter(({ site, visitor }) => hub.hasVisitor(site, visitor)).length;
    expect(tracked).toBeLessThanOrEqual(MOST_TRACKED);
    expect(tracked).toBeGreaterThanOrEqual(BUDGET);
    expect(hub.visitorBudget.usedBytes).toBeLessThanOrEqual(hub.visitorBudget.maxBytes);
  });

  test("past the budget, visitor counts stay within a few percent and say they are estimates", () => {
    const hub = new Hub(LIMITS);
    flood(hub, REQUESTS);
    const time = T0 + REQUESTS + 100;
    hub.tick(time);
    let total = 0;
    for (const site of SITES) {
      const { visitors } = (JSON.parse(hub.snapshot(site, time)) as SnapshotFrame).stats;
      expect(visitors.capped).toBe(true);
      // One sketch: standard error 3.3%, so 15% is more than four of them.
      expect(Math.abs(visitors.last30m - REQUESTS) / REQUESTS).toBeLessThan(0.15);
      expect(Math.abs(visitors.last5m - REQUESTS) / REQUESTS).toBeLessThan(0.15);
      total += visitors.last30m;
    }
    // Ten independent sketches: their sum is within 5% (five standard errors).
    expect(Math.abs(total - 10 * REQUESTS) / (10 * REQUESTS)).toBeLessThan(0.05);
    // The site list shows the estimates too.
    const sites = JSON.parse(hub.sitesSnapshot(time)) as { sites: Array<{ visitors: number }> };
    expect(sites.sites.reduce((sum, s) => sum + s.visitors, 0)).toBeGreaterThan(0.95 * 10 * REQUESTS);
  });

  test("once the visitors left out have left the window, counts are exact again", () => {
    const hub = new Hub(LIMITS);
    flood(hub, REQUESTS);
    // Everyone leaves; later, a few new visitors come, all tracked again.
    const later = T0 + 31 * 60_000;
    hub.tick(later);
    const ingestor = new Ingestor(hub, { onAccepted: (event) => hub.record(event.site, hitOf(event)) });
    for (let i = 0; i < 3; i++) {
      ingestor.ingest({ body: JSON.stringify({ n: "pageview", u: `https://${SITES[1]}/`, d: SITES[1] }), userAgent: `Mozilla/5.0 Firefox/${i}.0`, ip: "198.51.100.8", time: later + i });
    }
    const frame = hub.tick(later + 100).find((p) => p.topic === siteTopic(SITES[1]!));
    expect((JSON.parse(frame!.data) as TickFrame).changed.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
  });
});
