/**
 * What survives a restart and a crash, on a real server process with its SQLite data directory.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stats } from "../../src/core/wire/protocol.ts";
import { openSqliteStore } from "../../src/storage/sqlite-store.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { UA } from "../helpers/user-agents.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pulse-persist-"));
  dirs.push(dir);
  return dir;
}

const TICK_MS = 250;
const USER_AGENTS = [UA.chromeWindows, UA.firefoxLinux, UA.safariIphone, UA.safariIpad];

function send(server: ServerProcess, site: string, i: number): Promise<Response> {
  return fetch(new URL("/api/event", server.url), {
    method: "POST",
    headers: { "user-agent": USER_AGENTS[i % USER_AGENTS.length]!, "x-forwarded-for": `198.51.100.${i % 50}` },
    body: JSON.stringify({
      n: i % 9 === 0 ? "Signup" : "pageview",
      u: `https://${site}/page/${i % 13}`,
      r: i % 3 === 0 ? "https://www.google.com/" : "",
      tz: i % 2 ? "Europe/Paris" : "America/New_York",
      p: i % 9 === 0 ? { plan: "pro" } : undefined,
    }),
  });
}

async function realtime(server: ServerProcess, site: string): Promise<Stats> {
  const response = await fetch(new URL(`/api/realtime?site=${site}`, server.url), { headers: { authorization: `Bearer ${server.token}` } });
  return ((await response.json()) as { stats: Stats }).stats;
}

async function exportedRows(server: ServerProcess, site: string): Promise<string[]> {
  const response = await fetch(new URL(`/api/export?site=${site}`, server.url), { headers: { authorization: `Bearer ${server.token}` } });
  return (await response.text()).trimEnd().split("\r\n").slice(1);
}

/** The figures that do not slide with the clock (series are compared by their totals). */
/** What a restart rebuilds from storage: all but presence, which starts empty (docs/protocol.md, "Presence"). */
function figures(stats: Stats) {
  const { perMinute, perSecond, present, pages, ...rest } = stats;
  return { ...rest, pages: pages.map(([page, visitors]) => [page, visitors]), pageviews: perMinute.counts.reduce((a, b) => a + b, 0) };
}

const start = (dir: string, args: string[] = []) => startServer({ dataDir: dir, args: ["--tick-ms", String(TICK_MS), "--token", "persistence-token-0123", ...args] });

describe("storage across restarts", () => {
  test("SIGTERM stores what is pending, closes dashboards with 1001, exits 0; a restart shows exactly the same figures", async () => {
    const dir = dataDir();
    const first = await start(dir);
    for (let i = 0; i < 200; i++) expect((await send(first, "shop.test", i)).status).toBe(202);
    await Bun.sleep(2 * TICK_MS);
    const before = figures(await realtime(first, "shop.test"));
    expect(before.visitors.last5m).toBeGreaterThan(0);

    const dashboard = await first.dashboard("shop.test");
    // Sent right before the signal: the shutdown flush must store them.
    for (let i = 200; i < 210; i++) expect((await send(first, "late.test", i)).status).toBe(202);
    first.child.kill("SIGTERM");
    expect((await dashboard.closed).code).toBe(1001);
    expect(await first.child.exited).toBe(0);

    const second = await start(dir);
    try {
      expect(second.output()).toContain("Restored:   210 events");
      expect(figures(await realtime(second, "shop.test"))).toEqual(before);
      expect((await exportedRows(second, "late.test")).length).toBe(10);
    } finally {
      await second.stop();
    }
  }, 30_000);

  test("a crash (SIGKILL) loses at most the events of the last tick", async () => {
    const dir = dataDir();
    const server = await start(dir);
    let accepted = 0;
    let sent = 0;
    let stop = false;
    // About 400 events per second from 8 concurrent senders, until the kill.
    const senders = Array.from({ length: 8 }, async (_, lane) => {
      while (!stop) {
        const i = sent++;
        try {
          if ((await send(server, "crash.test", i)).status === 202) accepted++;
        } catch {
          return; // the server is gone
        }
        await Bun.sleep(20 + lane);
      }
    });
    await Bun.sleep(1500);
    server.child.kill("SIGKILL");
    await server.child.exited;
    stop = true;
    await Promise.all(senders);

    const restarted = await start(dir);
    try {
      const stored = (await exportedRows(restarted, "crash.test")).length;
      const lost = accepted - stored;
      const perTick = (accepted / 1.5) * (TICK_MS / 1000);
      console.log(`crash test: ${accepted} events answered 202, ${stored} stored, ${lost} lost (about ${perTick.toFixed(0)} arrive per tick)`);
      // Traffic really flowed before the crash, and most of it was stored.
      expect(accepted).toBeGreaterThan(50);
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThanOrEqual(accepted);
      expect(lost).toBeLessThanOrEqual(Math.ceil(perTick * 1.5) + 8);
    } finally {
      await restarted.stop();
    }
  }, 30_000);

  test("events older than --retention-days are pruned at start", async () => {
    const dir = dataDir();
    const store = openSqliteStore(join(dir, "events.db"));
    const DAY = 86_400_000;
    const event = (time: number) => storedEvent({ time, site: "old.test" });
    store.append([event(Date.now() - 10 * DAY), event(Date.now() - 3 * DAY), event(Date.now() - DAY / 2)]);
    store.close();
    const server = await start(dir, ["--retention-days", "2"]);
    try {
      await Bun.sleep(100);
      expect((await exportedRows(server, "old.test")).length).toBe(1);
    } finally {
      await server.stop();
    }
  }, 30_000);

  test("a damaged stored chunk is skipped and logged once with its id: start-up restores the rest, export lists the rest", async () => {
    const dir = dataDir();
    const store = openSqliteStore(join(dir, "events.db"));
    const now = Date.now();
    const DAY = 86_400_000;
    // Each batch one chunk per site: three recent (restored at start) and three older (exported only).
    for (const [i, time] of [now - 3 * DAY, now - 2 * DAY, now - DAY, now - 60_000, now - 30_000, now - 10_000].entries()) {
      store.append([storedEvent({ time, site: "damaged.test", path: `/${i}` }), storedEvent({ time, site: "other.test", path: `/${i}` })]);
    }
    store.close();
    const damaged = new Database(join(dir, "events.db"));
    const ids = damaged
      .query<{ id: number }, [number, number]>("SELECT id FROM chunks WHERE site = 'damaged.test' AND first IN (?, ?) ORDER BY id")
      .all(now - 2 * DAY, now - 30_000)
      .map((row) => row.id);
    damaged.query("UPDATE chunks SET events = substr(events, 1, 20) WHERE id IN (?, ?)").run(ids[0]!, ids[1]!);
    damaged.close();

    const server = await start(dir);
    try {
      expect(server.output()).toContain("Restored:   5 events");
      const rows = await exportedRows(server, "damaged.test");
      expect(rows.map((row) => row.split(",")[4])).toEqual(["/0", "/2", "/3", "/5"]);
      expect((await exportedRows(server, "other.test")).length).toBe(6);
      await exportedRows(server, "damaged.test");
      for (const id of ids) expect(server.output().split(`damaged stored chunk ${id} `).length - 1).toBe(1);
      const metrics = await fetch(new URL("/metrics", server.url), { headers: { authorization: `Bearer ${server.token}` } });
      expect(await metrics.text()).toContain("pulse_storage_damaged_chunks_total 2\n");
    } finally {
      await server.stop();
    }
  }, 30_000);
});
