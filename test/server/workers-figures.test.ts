/**
 * `serve --workers 2`: the site cap and the figures of /metrics hold for the server as a whole,
 * whichever worker took each event, and after a worker is killed outright.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { childPids, fromEachWorker, metric, sendEvent } from "../helpers/cluster-client.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";

const TICK_MS = 50;
const servers: ServerProcess[] = [];
afterAll(() => Promise.all(servers.map((server) => server.stop())));

async function start(args: string[] = []): Promise<ServerProcess> {
  const server = await startServer({ args: ["--workers", "2", "--tick-ms", String(TICK_MS), "--rate-limit", "0", ...args], timeoutMs: 20_000 });
  servers.push(server);
  return server;
}

function storedCount(server: ServerProcess): number {
  const db = new Database(join(server.dataDir, "events.db"), { readonly: true });
  try {
    return db.query<{ events: string }, []>("SELECT events FROM chunks").all().reduce((sum, chunk) => sum + (JSON.parse(chunk.events) as unknown[]).length, 0);
  } finally {
    db.close();
  }
}

describe("--workers 2", () => {
  test("--max-sites holds per worker under a burst, every worker keeps the same sites out of the live figures, and those events are stored and counted once", async () => {
    const server = await start(["--max-sites", "20"]);
    // 400 requests for 200 sites, forty at a time: both workers let sites in before they hear of each other's.
    const answers: Array<{ site: string; worker: string | null; dropped: string | null; notLive: string | null }> = [];
    const sites = Array.from({ length: 400 }, (_, i) => `burst${i % 200}.test`);
    for (let i = 0; i < sites.length; i += 40) {
      const chunk = sites.slice(i, i + 40);
      answers.push(...(await Promise.all(chunk.map(async (site) => ({ site, ...(await sendEvent(server, site, "/")) })))));
    }
    expect(answers.filter(({ dropped }) => dropped !== null)).toEqual([]);
    const admitted = answers.filter(({ notLive }) => notLive === null);
    // In the first round each site is new: no worker promised more than the cap a live place.
    for (const worker of ["0", "1"]) {
      expect(answers.filter((answer, i) => i < 200 && answer.notLive === null && answer.worker === worker).length).toBeLessThanOrEqual(20);
    }
    const admittedSites = [...new Set(admitted.map(({ site }) => site))];
    expect(admittedSites.length).toBeLessThanOrEqual(40);

    // Once everything has gone round: the same twenty sites live at each worker.
    await Bun.sleep(10 * TICK_MS);
    const live = new Map<string, string[]>();
    for (const site of admittedSites) {
      for (const [worker, body] of await fromEachWorker(server, `/api/realtime?site=${site}`)) {
        const shown = (JSON.parse(body) as { stats: { visitors: { last5m: number } } }).stats.visitors.last5m > 0;
        if (shown) live.set(worker, [...(live.get(worker) ?? []), site]);
      }
    }
    expect(live.get("0")!.length).toBe(20);
    expect(live.get("1")).toEqual(live.get("0")!);
    // The events for the other sites are stored, kept out of the live figures, and counted once.
    const notShown = answers.filter(({ site }) => !live.get("0")!.includes(site)).length;
    expect(notShown).toBe(400 - 2 * 20);
    await Bun.sleep(2_500);
    expect(storedCount(server)).toBe(400);
    for (const text of (await fromEachWorker(server, "/metrics")).values()) {
      expect(metric(text, "pulse_events_not_shown_total")).toBe(notShown);
      expect(metric(text, "pulse_events_accepted_total")).toBe(400);
      expect(metric(text, "pulse_sites")).toBe(20);
    }
  }, 30_000);

  test("a site with more visitors than a junk site takes its live place at every worker, the same one", async () => {
    const server = await start(["--max-sites", "20"]);
    for (let i = 0; i < 20; i += 10) {
      const junk = Array.from({ length: 10 }, (_, j) => `junk${i + j}.test`).join(",");
      expect((await sendEvent(server, junk, "/")).dropped).toBeNull();
    }
    await Bun.sleep(6 * TICK_MS);
    // Three visitors, over new connections: the kernel spreads them over both workers.
    for (const visitor of [1, 2, 3]) expect((await sendEvent(server, "real.test", "/", visitor)).status).toBe(202);
    await Bun.sleep(6 * TICK_MS);
    const displaced = new Map<string, string[]>();
    for (const [worker, body] of await fromEachWorker(server, "/api/realtime?site=real.test")) {
      expect((JSON.parse(body) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m, `worker ${worker}`).toBeGreaterThan(0);
    }
    for (let i = 0; i < 20; i++) {
      for (const [worker, body] of await fromEachWorker(server, `/api/realtime?site=junk${i}.test`)) {
        if ((JSON.parse(body) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m === 0) displaced.set(worker, [...(displaced.get(worker) ?? []), `junk${i}.test`]);
      }
    }
    // One junk site gave its place (the first to arrive of the fewest visited), the same everywhere.
    expect(displaced.get("0")).toHaveLength(1);
    expect(displaced.get("1")).toEqual(displaced.get("0")!);
    await Bun.sleep(2_500);
    for (const text of (await fromEachWorker(server, "/metrics")).values()) {
      expect(metric(text, "pulse_sites")).toBe(20);
      // The first visitor's event waited: stored, not shown, counted once.
      expect(metric(text, "pulse_events_not_shown_total")).toBe(1);
    }
    expect(storedCount(server)).toBe(20 + 3);
  }, 30_000);

  test("after a worker is killed outright, the events accepted are those that reached the primary: as many as were stored", async () => {
    const server = await start();
    let sending = true;
    let sent = 0;
    const traffic = (async () => {
      while (sending) {
        await sendEvent(server, "killed.test", `/${sent}`, sent);
        sent++;
      }
    })();
    // Killed in the middle of the traffic: up to a second of it since its last report.
    await Bun.sleep(1_700);
    // A worker alive now: the banner's may have been replaced already on a busy machine.
    const [victim] = childPids(server.child.pid);
    if (victim === undefined) throw new Error(`the primary has no workers:\n${server.output()}`);
    process.kill(victim, "SIGKILL");
    await Bun.sleep(300);
    sending = false;
    await traffic;
    // Figures travel once a second; the new worker is up.
    await Bun.sleep(2_500);
    const text = [...(await fromEachWorker(server, "/metrics")).values()][0]!;
    const stored = storedCount(server);
    expect(sent).toBeGreaterThan(20);
    expect(metric(text, "pulse_events_stored_total")).toBe(stored);
    expect(metric(text, "pulse_events_accepted_total")).toBe(stored);
  }, 30_000);
});
