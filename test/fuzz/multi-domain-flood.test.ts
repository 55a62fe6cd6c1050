/**
 * Fuzz: a multi-domain flood of fresh visitors at a real server with a small --max-memory. Every
 * request is accepted, the process stays up without runaway growth, and once the visitors tracked
 * one by one fill the budget, each site's counts are estimates (capped) within a few percent of the
 * visitors really sent.
 *
 * The budget itself shows in `capped` and the estimates, not in RSS: at this size the garbage a
 * flood leaves until the next collection hides it (RSS grew 52-111 MB with 22 MB and 74-91 MB with
 * 2,000 MB, 30 runs of one seed). RSS guards against growth far past that.
 *
 * Replay a failure with the seed it prints: PULSE_FUZZ_SEED=<seed> bun test test/fuzz/multi-domain-flood.test.ts
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Stats } from "../../src/core/wire/protocol.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { FLOOD_SITES, floodRequest } from "./flood-cases.ts";
import { fuzzSeed, Rng } from "./generators.ts";
import { pool } from "./run-tools.ts";

const SEED = fuzzSeed();
/** 60,000 (site, visitor) entries; 22 MB leaves the 12 sites (1 MiB each) 10 MB of visitors and their hit logs. */
const REQUESTS = 6000;
const IN_FLIGHT = 16;
const MAX_MEMORY_MB = 22;
const MAX_RSS_GROWTH = 250 * 1024 * 1024;

let server: ServerProcess;
const sentTo = new Map<string, number>(FLOOD_SITES.map((site) => [site, 0]));
const statuses = new Map<string, number>();

beforeAll(async () => {
  server = await startServer({ args: ["--max-memory", String(MAX_MEMORY_MB), "--max-sites", String(FLOOD_SITES.length), "--tick-ms", "100"] });
});

afterAll(async () => {
  await server?.stop();
});

const authorized = () => ({ authorization: `Bearer ${server.token}` });

async function rss(): Promise<number> {
  const text = await (await fetch(new URL("/metrics", server.url), { headers: authorized() })).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
}

async function stats(site: string): Promise<Stats> {
  const response = await fetch(new URL(`/api/realtime?site=${site}`, server.url), { headers: authorized() });
  return ((await response.json()) as { stats: Stats }).stats;
}

describe(`multi-domain flood (seed ${SEED})`, () => {
  test(`${REQUESTS} requests, each a fresh visitor naming 10 sites: all accepted, no runaway memory, counts estimated within a few percent`, async () => {
    const rng = new Rng(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, n) => floodRequest(rng, n));
    const rssBefore = await rss();
    const endpoint = new URL("/api/event", server.url).href;
    const ran = await pool(REQUESTS, IN_FLIGHT, performance.now() + 40_000, async (index) => {
      const { userAgent, sites, body } = requests[index]!;
      const response = await fetch(endpoint, { method: "POST", headers: { "user-agent": userAgent, "content-type": "text/plain" }, body });
      await response.arrayBuffer();
      const outcome = `${response.status} ${response.headers.get("x-pulse-dropped") ?? ""}`.trim();
      statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
      if (outcome === "202") for (const site of sites) sentTo.set(site, sentTo.get(site)! + 1);
    });
    await Bun.sleep(500);
    const rssAfter = await rss();
    console.log(`flood: seed ${SEED}, ${ran} requests, ${JSON.stringify(Object.fromEntries(statuses))}, RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MB`);
    expect(ran).toBe(REQUESTS);
    expect(Object.fromEntries(statuses)).toEqual({ "202": REQUESTS });
    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH);

    let total = 0;
    let estimated = 0;
    for (const site of FLOOD_SITES) {
      const { visitors } = await stats(site);
      const sent = sentTo.get(site)!;
      expect(visitors.capped, site).toBe(true);
      // One sketch: 3.3% standard error; 15% is more than four.
      expect(Math.abs(visitors.last30m - sent) / sent, `${site}: ${visitors.last30m} for ${sent}`).toBeLessThan(0.15);
      total += sent;
      estimated += visitors.last30m;
    }
    expect(Math.abs(estimated - total) / total).toBeLessThan(0.05);
    expect((await fetch(new URL("/healthz", server.url))).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  }, 60_000);
});
