/**
 * `serve --workers 2` with a worker that stops answering (SIGSTOP: alive, but silent): it is
 * found out, killed and replaced within seconds; meanwhile the other worker's dashboards keep
 * their pace, and nothing queued for the silent one grows without bound in the primary.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findServerPids } from "../../src/loadtest/server-stats.ts";
import { fromEachWorker, isAlive, residentBytes, workerPids } from "../helpers/cluster-client.ts";
import type { TestDashboard } from "../helpers/dashboard-client.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { UA } from "../helpers/user-agents.ts";

const TICK_MS = 100;
const SITE = "health.test";
const FLOOD_SITES = Array.from({ length: 10 }, (_, i) => `flood${i}.test`).join(",");

let server: ServerProcess;
let base: string;
/** Stopped by a test: killed at the end whatever happened, so none outlives the run. */
const stopped: number[] = [];

beforeAll(async () => {
  server = await startServer({ args: ["--workers", "2", "--tick-ms", String(TICK_MS), "--rate-limit", "0"], timeoutMs: 20_000 });
  base = server.url.replace(/\/$/, "");
});
afterAll(async () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone, as it should be
    }
  }
  await server.stop();
});

/** An event that gives up after `timeoutMs`: a connection the kernel handed to a stopped worker hangs. */
async function post(sites: string, path: string, timeoutMs: number, props?: Record<string, string>): Promise<boolean> {
  try {
    const response = await fetch(`${base}/api/event`, {
      method: "POST",
      headers: { "user-agent": UA.firefoxLinux },
      body: JSON.stringify({ n: "pageview", u: `https://${sites.split(",")[0]}${path}`, d: sites, ...(props ? { p: props } : {}) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status === 202;
  } catch {
    return false;
  }
}

function currentWorkerPids(): number[] {
  return findServerPids(Number(new URL(base).port)).filter((pid) => pid !== server.child.pid);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
  return performance.now() - started;
}

describe("--workers 2 with a worker that stops answering", () => {
  test("it is killed and replaced within seconds, and the other worker's dashboards keep receiving ticks meanwhile", async () => {
    const dashboards: TestDashboard[] = await Promise.all(Array.from({ length: 16 }, () => server.dashboard(SITE)));
    await Promise.all(dashboards.map((dashboard) => dashboard.waitFor((frame) => frame.type === "snapshot")));
    const [victim] = workerPids(server.output());
    stopped.push(victim!);
    process.kill(victim!, "SIGSTOP");
    const stoppedAt = performance.now();

    // Traffic throughout, so every tick has news; requests the kernel hands to the stopped worker time out.
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending; i++) {
        void post(SITE, `/while-stopped/${i}`, 500);
        await Bun.sleep(20);
      }
    })();
    // A window after the first tick (which may wait for the silent worker) and before it is found out.
    await Bun.sleep(1_500 - (performance.now() - stoppedAt));
    const before = dashboards.map((dashboard) => dashboard.frames.length);
    await Bun.sleep(1_000);
    const received = dashboards.map((dashboard, i) => dashboard.frames.length - before[i]!);
    // Ten ticks in that second at 100 ms; the healthy worker's dashboards get at least half of them.
    expect(Math.max(...received)).toBeGreaterThanOrEqual(5);

    await waitUntil(() => !isAlive(victim!), 6_000 - (performance.now() - stoppedAt));
    sending = false;
    await traffic;
    await waitUntil(() => /worker \d restarted \(pid \d+\)/.test(server.output()), 5_000);
    const replacement = Number(/worker \d restarted \(pid (\d+)\)/.exec(server.output())![1]);
    expect(replacement).not.toBe(victim!);
    expect(isAlive(replacement)).toBe(true);
    // New connections are answered by both workers again.
    expect([...(await fromEachWorker(server, "/healthz")).keys()].sort()).toEqual(["0", "1"]);
    for (const dashboard of dashboards) dashboard.socket.close();
  }, 20_000);

  test("a flood of events while a worker is stopped does not pile up in the primary's memory", async () => {
    const primary = server.child.pid;
    const [victim] = currentWorkerPids();
    expect(currentWorkerPids()).toHaveLength(2);
    const baseline = residentBytes(primary);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(primary))), 50);
    stopped.push(victim!);
    process.kill(victim!, "SIGSTOP");

    // Events of some 1 KB each, ten a request, from four clients, for 8 s (80,000 requests at
    // most); requests the kernel hands to the stopped worker time out, and are sent again.
    const props = { a: "a".repeat(500) };
    let accepted = 0;
    const started = performance.now();
    const sender = async () => {
      while (accepted < 80_000 && performance.now() - started < 8_000) {
        if (await post(FLOOD_SITES, "/flood", 1_000, props)) accepted++;
      }
    };
    await Promise.all(Array.from({ length: 4 }, sender));
    clearInterval(sampler);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`flood: ${accepted} requests accepted in ${seconds} s; primary RSS ${Math.round(baseline / 2 ** 20)} MB before, ${Math.round(peak / 2 ** 20)} MB at most`);
    expect(accepted).toBeGreaterThan(5_000);
    // The flood alone costs about 100 MB; without a bound a stopped worker adds 100 MB more, and on with the flood.
    expect(peak - baseline).toBeLessThan(150 * 2 ** 20);
  }, 30_000);
});
