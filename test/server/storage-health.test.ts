/**
 * /healthz tells a load balancer or a monitor that storage is failing (a full disk, a locked or
 * read-only file), and says ok again once writes succeed; the events accepted meanwhile are stored then.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { Metrics } from "../../src/core/metrics.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { BASE, handlerSetup } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const TICK_MS = 50;
const inner = createMemoryStore();
const disk = { full: false };
const store: EventStore = {
  ...inner,
  append(events) {
    if (disk.full) throw Object.assign(new Error("database or disk is full"), { name: "SQLiteError", code: "SQLITE_FULL", errno: 13 });
    inner.append(events);
  },
  count: () => inner.count(),
};

let server: RunningServer;
let base: string;
beforeAll(() => {
  server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(TICK_MS)], {}), {
    files: {},
    store,
    token: "storage-health-token-0123",
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop());

const send = (i: number) =>
  fetch(`${base}/api/event`, {
    method: "POST",
    headers: { "user-agent": UA.firefoxLinux },
    body: JSON.stringify({ n: "pageview", u: `https://full.test/${i}`, d: "full.test" }),
  });

async function health(): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}/healthz`);
  return { status: response.status, body: await response.text() };
}

/** Waits (a few ticks at most) until `check` holds. */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await Bun.sleep(TICK_MS / 2);
  }
  throw new Error("condition not met within 50 ticks");
}

describe("/healthz and storage", () => {
  test("ok while writes succeed; 503 with the reason while they fail; ok again after, with every accepted event stored", async () => {
    expect(await health()).toEqual({ status: 200, body: "ok\n" });

    disk.full = true;
    for (let i = 0; i < 10; i++) expect((await send(i)).status).toBe(202);
    await eventually(async () => (await health()).status === 503);
    const failing = await health();
    expect(failing.body).toContain("storage is failing");
    expect(failing.body).toContain("SQLITE_FULL: database or disk is full");
    expect(store.count()).toBe(0);

    disk.full = false;
    for (let i = 10; i < 20; i++) expect((await send(i)).status).toBe(202);
    await eventually(() => store.count() === 20);
    await eventually(async () => (await health()).status === 200);
    expect(await health()).toEqual({ status: 200, body: "ok\n" });
    expect(server.metrics.eventsNotStored).toEqual({ refused: 0, backlog: 0 });
  });
});

describe("/healthz at a worker of --workers", () => {
  test("answers for the primary, which stores: 503 while the figures it last sent say storage fails", async () => {
    const primary = new Metrics();
    const { handler } = handlerSetup({ clusterMetrics: () => ({ metrics: Metrics.combine([primary.snapshot(), new Metrics().snapshot()]), residentBytes: 0, processes: 2 }) });
    const healthz = async () => {
      const response = (await handler(new Request(`${BASE}/healthz`)))!;
      return { status: response.status, body: await response.text() };
    };
    expect(await healthz()).toEqual({ status: 200, body: "ok\n" });
    primary.storageFault = "storage is failing since 2026-11-30T10:00:00.000Z: SQLITE_IOERR_WRITE: disk I/O error";
    primary.storagePending = 1234;
    expect(await healthz()).toEqual({
      status: 503,
      body: "storage is failing since 2026-11-30T10:00:00.000Z: SQLITE_IOERR_WRITE: disk I/O error; 1234 accepted events wait to be written\n",
    });
  });

  test("the storage state survives the trip to a worker: a snapshot as JSON, combined", () => {
    const primary = new Metrics();
    primary.storageFault = "storage is failing since 2026-11-30T10:00:00.000Z: SQLITE_FULL: database or disk is full";
    primary.eventsNotStored.backlog = 3;
    const sent = JSON.parse(JSON.stringify(Metrics.combine([new Metrics().snapshot(), primary.snapshot()]).snapshot()));
    const atWorker = Metrics.combine([sent]);
    expect(atWorker.storageFault).toBe(primary.storageFault);
    expect(atWorker.eventsNotStored).toEqual({ refused: 0, backlog: 3 });
    expect(atWorker.render({ sites: 0, residentBytes: 0 })).toContain("pulse_storage_failing 1\n");
  });
});
