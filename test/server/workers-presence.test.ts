/**
 * `serve --workers 2` and presence: signals accepted by either worker reach both over the bus, in
 * one order, so every worker shows the same tabs present; none of them is stored.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { Stats } from "../../src/core/wire/protocol.ts";
import { fresh, fromEachWorker, metric, sendEvent } from "../helpers/cluster-client.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { UA } from "../helpers/user-agents.ts";

const TICK_MS = 200;
const SITE = "presence-cluster.test";
const WORKERS = ["0", "1"];

let server: ServerProcess;
let base: string;

beforeAll(async () => {
  server = await startServer({ args: ["--workers", "2", "--tick-ms", String(TICK_MS)], timeoutMs: 20_000 });
  base = server.url.replace(/\/$/, "");
});
afterAll(() => server.stop());

/** Each on a new connection, so the kernel spreads them over the workers; returns the worker that took it. */
async function signal(tab: string, path: string, s: "here" | "gone"): Promise<string | null> {
  const response = await fetch(`${base}/api/presence`, {
    ...fresh,
    method: "POST",
    headers: { ...fresh.headers, "user-agent": UA.chromeWindows },
    body: JSON.stringify({ d: SITE, u: `https://${SITE}${path}`, t: tab, s }),
  });
  await response.arrayBuffer();
  expect(response.status).toBe(202);
  return response.headers.get("x-pulse-worker");
}

async function presentAtEachWorker(): Promise<Array<[string, number | undefined, Stats["pages"]]>> {
  await Bun.sleep(3 * TICK_MS);
  const bodies = await fromEachWorker(server, `/api/realtime?site=${SITE}`, WORKERS);
  return [...bodies].sort().map(([worker, body]) => {
    const { stats } = JSON.parse(body) as { stats: Stats };
    return [worker, stats.present, stats.pages];
  });
}

test("every worker ends with the same tabs present, whichever worker took each signal", async () => {
  // A pageview makes the site live (a Plausible pageview: one tab for its visitor and page).
  expect((await sendEvent(server, SITE, "/")).status).toBe(202);
  const takers = new Set<string | null>();
  for (let i = 0; i < 12; i++) takers.add(await signal(`tab${String(i).padStart(8, "0")}`, i % 2 ? "/odd" : "/even", "here"));
  // Half of them leave, on other connections (often another worker than the one that saw them come).
  for (let i = 0; i < 12; i += 2) takers.add(await signal(`tab${String(i).padStart(8, "0")}`, "/even", "gone"));
  expect(takers.size).toBeGreaterThan(1);

  const seen = await presentAtEachWorker();
  const expected = (worker: string): [string, number, Stats["pages"]] => [worker, 7, expect.arrayContaining([["/", 1, 1]]) as unknown as Stats["pages"]];
  expect(seen).toEqual(WORKERS.map(expected));
  // Each worker reports its figures to the primary every second, which sends the totals back.
  let metrics = await fromEachWorker(server, "/metrics", WORKERS);
  for (let waited = 0; waited < 5000 && [...metrics.values()].some((text) => metric(text, "pulse_presence_signals_total") !== 18); waited += 250) {
    await Bun.sleep(250);
    metrics = await fromEachWorker(server, "/metrics", WORKERS);
  }
  for (const text of metrics.values()) {
    // Every worker holds the same tabs: the largest, not the sum.
    expect(metric(text, "pulse_tabs_present")).toBe(7);
    expect(metric(text, "pulse_presence_signals_total")).toBe(18);
    expect(metric(text, "pulse_events_accepted_total")).toBe(1);
  }

  const db = new Database(join(server.dataDir, "events.db"), { readonly: true });
  try {
    expect(db.query<{ events: number }, []>("SELECT SUM(count) AS events FROM chunks").get()!.events).toBe(1);
  } finally {
    db.close();
  }
});
