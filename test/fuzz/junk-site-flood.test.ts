/**
 * Fuzz: junk domains flood a default server (10 a request, from a pool far larger than --max-sites)
 * and fill its live site cap; then a real site gets its visitors in between. Every event is answered 202 and none is dropped;
 * each of the real site's is stored and exported; the live sites stay within the cap; and the real
 * site, with more visitors than any junk domain, is in the live figures within a few ticks of the
 * flood's end.
 *
 * Replay a failure with the seed it prints: PULSE_FUZZ_SEED=<seed> bun test test/fuzz/junk-site-flood.test.ts
 */
import { afterAll, describe, expect, test } from "bun:test";
import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { DEFAULT_MAX_SITES } from "../../src/core/stats/hub.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { fuzzSeed, Rng } from "./generators.ts";

const SEED = fuzzSeed();
const TOKEN = "flood-token-0123456789";
const TICK_MS = 20;
const JUNK_POOL = 4 * DEFAULT_MAX_SITES;
const JUNK_REQUESTS = 300;
const REAL_VISITORS = 40;
const REAL_SITE = "myshop.example";

let server: RunningServer | undefined;
afterAll(() => server?.stop());

describe(`junk-site flood (seed ${SEED})`, () => {
  test(`${JUNK_REQUESTS} requests of 10 junk domains from a pool of ${JUNK_POOL}, and a real site with ${REAL_VISITORS} visitors`, async () => {
    const rng = new Rng(SEED);
    server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(TICK_MS)], {}), { files: {}, store: createMemoryStore(), token: TOKEN });
    const base = `http://127.0.0.1:${server.port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const answers = new Map<string, number>();
    const send = async (domains: string[], userAgent: string) => {
      const response = await fetch(`${base}/api/event`, {
        method: "POST",
        headers: { "user-agent": userAgent },
        body: JSON.stringify({ n: "pageview", u: `https://${domains[0]}/${rng.int(50)}`, d: domains.join(",") }),
      });
      const answer = `${response.status} ${response.headers.get("x-pulse-dropped") ?? ""}`.trim();
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
    };
    const visitorAgent = (n: number) => `Mozilla/5.0 (X11; Linux x86_64; rv:${n}.0) Gecko/20100101 Firefox/${n}.0`;
    let realSent = 0;
    const sendReal = () => send([REAL_SITE], visitorAgent(100_000 + (realSent++ % REAL_VISITORS)));
    for (let request = 0; request < JUNK_REQUESTS; request++) {
      const junk = new Set<string>();
      while (junk.size < 10) junk.add(`junk${rng.int(JUNK_POOL)}.test`);
      await send([...junk], visitorAgent(rng.int(1_000_000)));
      // The real site comes once junk has filled the cap.
      if (request >= JUNK_REQUESTS / 10 && rng.chance(0.3)) await sendReal();
      if (rng.chance(0.05)) await Bun.sleep(TICK_MS);
    }
    const liveVisitors = async () =>
      ((await (await fetch(`${base}/api/realtime?site=${REAL_SITE}`, { headers: auth })).json()) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m;
    // Its visitors keep coming, a few ticks apart: at each tick a waiting site with more visitors than the least visited live one may take its place.
    let extra = 0;
    for (; extra < 30; extra++) {
      await Bun.sleep(2 * TICK_MS);
      if ((await liveVisitors()) > 0) break;
      await sendReal();
    }
    console.log(`junk flood: seed ${SEED}, ${realSent} events for ${REAL_SITE} (${extra} after the flood), answers ${JSON.stringify(Object.fromEntries(answers))}`);
    expect(extra).toBeLessThan(30);
    expect(Object.fromEntries(answers)).toEqual({ "202": JUNK_REQUESTS + realSent });

    const exported = async () => (await (await fetch(`${base}/api/export?site=${REAL_SITE}`, { headers: auth })).text()).trimEnd().split("\r\n").length - 1;
    for (let tries = 0; tries < 50 && (await exported()) < realSent; tries++) await Bun.sleep(TICK_MS);
    expect(await exported()).toBe(realSent);
    const metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(Number(/^pulse_sites (\d+)/m.exec(metrics)?.[1])).toBeLessThanOrEqual(DEFAULT_MAX_SITES);
    expect(Number(/^pulse_events_accepted_total (\d+)/m.exec(metrics)?.[1])).toBe(10 * JUNK_REQUESTS + realSent);
  }, 60_000);
});
