/**
 * `serve --workers 2`: two worker processes on one port, the primary relaying events between
 * them, storing each once, and restarting a worker that dies.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { ServerFrame, Stats } from "../../src/core/wire/protocol.ts";
import { findServerPids } from "../../src/loadtest/server-stats.ts";
import { decodeEvents } from "../../src/storage/event-chunks.ts";
import { fresh, fromEachWorker as fromEachWorkerOf, metric, sendEvent, workerPids as workerPidsIn } from "../helpers/cluster-client.ts";
import { eachTransport } from "../helpers/transports.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import type { TestDashboard } from "../helpers/dashboard-client.ts";

const TICK_MS = 200;
const SITE = "cluster.test";
const WORKERS = ["0", "1"];

let server: ServerProcess;
let base: string;

/** `visitor` varies the User-Agent, so each value is another visitor. */
const sendPageview = (path: string, visitor = 0) => sendEvent(server, SITE, path, visitor);
const fromEachWorker = (path: string) => fromEachWorkerOf(server, path, WORKERS);
const withPath = (path: string) => (frame: ServerFrame) => frame.type === "tick" && frame.feed.some((item) => item.p === path);

/**
 * The figures each worker shows, once two ticks have passed with nothing new. A restarted worker
 * rebuilt its figures at its start, so its time series may end a second apart from the others'
 * until its next change: series are compared as their non-empty buckets by time.
 */
async function statsOfEachWorker(): Promise<Map<string, unknown>> {
  await Bun.sleep(3 * TICK_MS);
  const bodies = await fromEachWorker(`/api/realtime?site=${SITE}`);
  return new Map([...bodies].map(([worker, body]) => [worker, bucketsByTime((JSON.parse(body) as { stats: Stats }).stats)]));
}

function bucketsByTime(stats: Stats): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stats).map(([name, section]) => {
      if (typeof section !== "object" || section === null || !("counts" in section)) return [name, section];
      const { step, last, counts } = section as { step: number; last: number; counts: number[] };
      const start = last - (counts.length - 1) * step;
      return [name, counts.flatMap((count, i) => (count > 0 ? [[start + i * step, count]] : []))];
    }),
  );
}

const workerPids = (output = server.output()) => workerPidsIn(output);

function storedPaths(): string[] {
  const db = new Database(join(server.dataDir, "events.db"), { readonly: true });
  try {
    const chunks = db.query<{ site: string; events: string }, []>("SELECT site, events FROM chunks ORDER BY id").all();
    return chunks.flatMap((chunk) => decodeEvents(chunk.site, chunk.events).map((event) => event.path));
  } finally {
    db.close();
  }
}

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    server = await startServer({ runtime, args: ["--workers", "2", "--tick-ms", String(TICK_MS)], timeoutMs: 20_000 });
    base = server.url.replace(/\/$/, "");
  });
  afterAll(() => server.stop());

  describe("--workers 2", () => {
    test("both workers share the port and answer", async () => {
      const health = await fromEachWorker("/healthz");
      expect([...health.keys()].sort()).toEqual(WORKERS);
      expect(workerPids()).toHaveLength(2);
      // What `pulse loadtest` measures: the primary and both workers, found by the port.
      expect(findServerPids(Number(new URL(base).port)).sort()).toEqual([server.child.pid, ...workerPids()].sort());
    });

    test("every ingest answer names its worker: refusals and preflights too, not only the 202", async () => {
      const bad = await fetch(`${base}/api/event`, { ...fresh, method: "POST", body: "{not json" });
      expect(bad.status).toBe(400);
      expect(WORKERS).toContain(bad.headers.get("x-pulse-worker")!);
      expect(bad.headers.get("access-control-allow-origin")).toBe("*");
      expect((await bad.json()).error).toBe("body is not valid JSON");
      const preflight = await fetch(`${base}/api/event`, { ...fresh, method: "OPTIONS" });
      expect(preflight.status).toBe(204);
      expect(WORKERS).toContain(preflight.headers.get("x-pulse-worker")!);
    });

    test("an event ingested at one worker reaches the dashboards attached to every worker within two ticks", async () => {
      const dashboards: TestDashboard[] = await Promise.all(Array.from({ length: 24 }, () => server.dashboard(SITE)));
      await Promise.all(dashboards.map((dashboard) => dashboard.waitFor((frame) => frame.type === "snapshot")));
      // Each worker holds some of the sockets (the kernel spreads connections).
      const metrics = await fromEachWorker("/metrics");
      for (const worker of WORKERS) expect(metric(metrics.get(worker)!, "pulse_dashboards_connected")).toBeGreaterThan(0);

      const sentAt = performance.now();
      const { status, worker } = await sendPageview("/everywhere");
      expect(status).toBe(202);
      expect(WORKERS).toContain(worker!);
      const frames = await Promise.all(dashboards.map((dashboard) => dashboard.waitFor(withPath("/everywhere"), 5_000)));
      // Two ticks (the worker sends what it took every tick; the next tick shows it), plus slack on a busy machine.
      expect(performance.now() - sentAt).toBeLessThan(2 * TICK_MS + 400);
      // Every worker turned the same batches into the same frame at the same tick: the same bytes everywhere.
      const texts = new Set(dashboards.map((dashboard, i) => dashboard.raw[dashboard.frames.indexOf(frames[i]!)]));
      expect(texts.size).toBe(1);
      for (const dashboard of dashboards) dashboard.socket.close();
    });

    test("every worker holds the same figures", async () => {
      const workers = new Set<string | null>();
      for (let i = 0; i < 20; i++) {
        const { status, worker } = await sendPageview(`/same/${i}`, 100 + i);
        expect(status).toBe(202);
        workers.add(worker);
      }
      expect(workers.size).toBe(2);
      // The workers tick together, so their figures are the same, to the byte, once both have had
      // the same tick (asked again, briefly, when a tick falls between the two requests).
      await Bun.sleep(3 * TICK_MS);
      let bodies = new Map<string, string>();
      for (let attempt = 0; attempt < 10; attempt++) {
        bodies = new Map([...(await fromEachWorker(`/api/realtime?site=${SITE}`))].map(([worker, body]) => [worker, JSON.stringify((JSON.parse(body) as { stats: Stats }).stats)]));
        if (bodies.get("0") === bodies.get("1")) break;
      }
      expect(bodies.get("1")).toBe(bodies.get("0")!);
      // Twenty new visitors, whichever worker took them, in everybody's figures.
      expect((JSON.parse(bodies.get("0")!) as Stats).visitors.last5m).toBeGreaterThanOrEqual(20);
    });

    test("/metrics at either worker counts the whole cluster: both workers' events and the primary's storage", async () => {
      // Figures travel once a second each way: what the earlier tests sent has settled by now.
      await Bun.sleep(2_500);
      const before = metric((await fromEachWorker("/metrics")).get("0")!, "pulse_events_accepted_total");
      const sent: Array<string | null> = [];
      for (let i = 0; i < 10; i++) sent.push((await sendPageview(`/counted/${i}`)).worker);
      expect(new Set(sent).size).toBe(2);
      await Bun.sleep(2_500);
      const scrapes = await fromEachWorker("/metrics");
      const accepted = WORKERS.map((worker) => metric(scrapes.get(worker)!, "pulse_events_accepted_total"));
      expect(accepted[0]).toBe(accepted[1]!);
      // These ten, at whichever worker took each, in both workers' figures, and each stored once.
      expect(accepted[0]! - before).toBe(10);
      for (const worker of WORKERS) {
        expect(metric(scrapes.get(worker)!, "pulse_events_stored_total")).toBe(accepted[0]!);
        expect(metric(scrapes.get(worker)!, "pulse_processes")).toBe(3);
      }
    }, 15_000);

    test("a killed worker comes back; no event another worker accepted is lost, and each is stored once", async () => {
      const before = Array.from({ length: 20 }, (_, i) => `/before/${i}`);
      for (const path of before) expect((await sendPageview(path)).status).toBe(202);
      await Bun.sleep(3 * TICK_MS);

      const [victim] = workerPids();
      const dashboards = await Promise.all(Array.from({ length: 12 }, () => server.dashboard(SITE)));
      await Promise.all(dashboards.map((dashboard) => dashboard.waitFor((frame) => frame.type === "snapshot")));
      process.kill(victim!, "SIGKILL");

      // Traffic goes on while the worker is down and while it comes back.
      const during: Array<{ path: string; worker: string | null; status: number }> = [];
      for (let i = 0; i < 40; i++) {
        const path = `/during/${i}`;
        during.push({ path, ...(await sendPageview(path)) });
        await Bun.sleep(10);
      }
      expect(during.every(({ status }) => status === 202)).toBe(true);

      // Its dashboards were dropped; as the dashboard does, they reconnect, to the others or to the new worker.
      const dropped = (await Promise.all(dashboards.map((dashboard) => Promise.race([dashboard.closed, Bun.sleep(1000).then(() => null)])))).filter(
        (closed) => closed !== null,
      );
      expect(dropped.length).toBeGreaterThan(0);
      const reconnected = await Promise.all(dropped.map(() => server.dashboard(SITE)));
      const snapshots = await Promise.all(reconnected.map((dashboard) => dashboard.waitFor((frame) => frame.type === "snapshot")));
      for (const snapshot of snapshots) expect(snapshot.type === "snapshot" && snapshot.stats.visitors.last5m).toBeGreaterThan(0);

      // Restarted within a second or so: both workers answer again, with the same figures.
      const health = await fromEachWorker("/healthz");
      expect([...health.keys()].sort()).toEqual(WORKERS);
      expect(server.output()).toContain("restarted");
      const stats = await statsOfEachWorker();
      expect(stats.get("1")).toEqual(stats.get("0")!);

      for (const dashboard of [...dashboards, ...reconnected]) dashboard.socket.close();
      // Stored once each: everything sent before the kill (it had been relayed), and everything after.
      const stored = storedPaths();
      for (const path of [...before, ...during.map(({ path }) => path)]) expect(stored.filter((p) => p === path)).toHaveLength(1);
    }, 30_000);

    test("SIGTERM stops the workers and the primary cleanly, with every accepted event stored", async () => {
      const paths = Array.from({ length: 10 }, (_, i) => `/last/${i}`);
      for (const path of paths) expect((await sendPageview(path)).status).toBe(202);
      server.child.kill("SIGTERM");
      expect(await server.child.exited).toBe(0);
      const stored = storedPaths();
      for (const path of paths) expect(stored.filter((p) => p === path)).toHaveLength(1);
      for (const pid of workerPids()) expect(() => process.kill(pid, 0)).toThrow();
    });

    test("workers do not outlive a primary that was killed outright", async () => {
      const orphaned = await startServer({ runtime, args: ["--workers", "2", "--tick-ms", String(TICK_MS)], timeoutMs: 20_000 });
      const pids = workerPids(orphaned.output());
      expect(pids).toHaveLength(2);
      orphaned.child.kill("SIGKILL");
      await orphaned.child.exited;
      const alive = () => pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      for (let i = 0; i < 50 && alive().length > 0; i++) await Bun.sleep(100);
      expect(alive()).toEqual([]);
      await orphaned.stop();
    });
  });
});
