/**
 * Exports of a large site, on a real server process: they stream a little at a time, so ingest and
 * /healthz go on answering while they run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/storage/sqlite-store.ts";
import { eachTransport } from "../helpers/transports.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { UA } from "../helpers/user-agents.ts";

const TOKEN = "export-streaming-token-0123";
const EVENTS = 100_000;
const SITE = "big.test";

let dir: string;
let server: ServerProcess;

/** How long `path` takes to answer, and its status. */
async function timed(path: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(new URL(path, server.url), init);
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

const pageview = (i: number): RequestInit => ({
  method: "POST",
  headers: { "user-agent": UA.firefoxLinux, "content-type": "text/plain" },
  body: JSON.stringify({ n: "pageview", u: `https://live.test/${i}` }),
});

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pulse-export-"));
    const store = openSqliteStore(join(dir, "events.db"));
    // Two days old: outside the window restored at start, inside retention.
    const start = Date.now() - 2 * 86_400_000;
    for (let batch = 0; batch < EVENTS / 1000; batch++) {
      const events = Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i;
        return storedEvent({ site: SITE, time: start + n * 10, visitor: n, url: `https://${SITE}/page/${n % 500}`, path: `/page/${n % 500}` });
      });
      store.append(events);
    }
    store.close();
    server = await startServer({ runtime, dataDir: dir, args: ["--token", TOKEN] });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("exports of a large site", () => {
    test("while three stream at once, /healthz and ingest answer within 500 ms", async () => {
      const exports = Array.from({ length: 3 }, async () => {
        const response = await fetch(new URL(`/api/export?site=${SITE}`, server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
        return (await response.text()).split("\r\n").length - 2;
      });
      let streaming = true;
      const exported = Promise.all(exports).finally(() => (streaming = false));
      const health: number[] = [];
      const ingest: number[] = [];
      for (let i = 0; streaming; i++) {
        const answer = await timed("/healthz");
        expect(answer.status).toBe(200);
        health.push(answer.ms);
        const accepted = await timed("/api/event", pageview(i));
        expect(accepted.status).toBe(202);
        ingest.push(accepted.ms);
        await Bun.sleep(10);
      }
      // Every row of every export arrived, and the server was asked many times while they streamed.
      expect(await exported).toEqual([EVENTS, EVENTS, EVENTS]);
      expect(Math.max(...health)).toBeLessThan(500);
      expect(Math.max(...ingest)).toBeLessThan(500);
      expect(health.length).toBeGreaterThan(5);
    }, 60_000);
  });
});
