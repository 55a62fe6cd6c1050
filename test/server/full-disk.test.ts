/**
 * A real full disk: the data directory on a 3 MB tmpfs, filled with accepted events until SQLite
 * reports SQLITE_FULL, then enlarged. Every event answered 202 must be stored in the end, and
 * /healthz must say 503 while writes fail. Needs root and mount(8): skipped, and says so, without them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { UA } from "../helpers/user-agents.ts";

const EVENTS = 3_000;
const SENDERS = 8;

const mountPoints: string[] = [];
afterAll(() => {
  for (const dir of mountPoints) {
    Bun.spawnSync(["umount", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

function run(command: string[]): { ok: boolean; output: string } {
  const result = Bun.spawnSync(command, { stderr: "pipe", stdout: "pipe" });
  return { ok: result.exitCode === 0, output: `${result.stdout.toString()}${result.stderr.toString()}`.trim() };
}

/** A fresh tmpfs of `size`, or why there cannot be one here. */
function mountTmpfs(size: string): string | { unavailable: string } {
  if (process.getuid?.() !== 0) return { unavailable: "not running as root" };
  const dir = mkdtempSync(join(tmpdir(), "pulse-full-disk-"));
  const mounted = run(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  if (!mounted.ok) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `mount -t tmpfs failed: ${mounted.output}` };
  }
  mountPoints.push(dir);
  return dir;
}

const probe = mountTmpfs("1m");
const unavailable = typeof probe === "string" ? undefined : probe.unavailable;
if (unavailable) console.log(`full-disk test skipped: ${unavailable}`);

/** 30 properties, about 1 KB stored: 3,000 such events do not fit in 3 MB. */
function body(i: number): string {
  const p: Record<string, string> = {};
  for (let k = 0; k < 30; k++) p[`property${k}`] = `value ${k} of event ${i}`;
  return JSON.stringify({ n: "Order", u: `https://full.test/item/${i}`, d: "full.test", p });
}

async function health(server: ServerProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL("/healthz", server.url), { headers: { connection: "close" } });
  return { status: response.status, body: await response.text() };
}

async function exportedCount(server: ServerProcess): Promise<number> {
  const response = await fetch(new URL("/api/export?site=full.test", server.url), { headers: { authorization: `Bearer ${server.token}` } });
  return (await response.text()).trimEnd().split("\r\n").length - 1;
}

describe.each([["one process", ["--workers", "1"]], ["--workers 2", ["--workers", "2"]]])("a full disk, %s", (_label, workers) => {
  test.skipIf(unavailable !== undefined)(
    "holds accepted events until the disk is enlarged, then stores every one; /healthz says 503 meanwhile",
    async () => {
      const dir = mountTmpfs("3m") as string;
      const server = await startServer({ dataDir: dir, args: ["--tick-ms", "100", ...workers], timeoutMs: 20_000 });
      try {
        let next = 0;
        let accepted = 0;
        const statuses = new Map<number, number>();
        const healthSeen: Array<{ status: number; body: string }> = [];
        const senders = Array.from({ length: SENDERS }, async () => {
          while (next < EVENTS) {
            const i = next++;
            const response = await fetch(new URL("/api/event", server.url), {
              method: "POST",
              headers: { "user-agent": `${UA.firefoxLinux} visitor/${i % 500}` },
              body: body(i),
            });
            await response.arrayBuffer();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status === 202) accepted++;
            if (i % 250 === 0) healthSeen.push(await health(server));
          }
        });
        await Promise.all(senders);
        expect(Object.fromEntries(statuses)).toEqual({ 202: EVENTS });

        // Full: the writes fail, /healthz says so with the reason, and nothing is stored any more.
        await waitFor(async () => (await health(server)).status === 503, "healthz to answer 503");
        const failing = await health(server);
        expect(failing.body).toContain("SQLITE_FULL");
        const storedWhileFull = await exportedCount(server);
        expect(storedWhileFull).toBeLessThan(accepted);

        expect(run(["mount", "-o", "remount,size=64m", dir]).ok).toBe(true);
        await waitFor(async () => (await health(server)).status === 200, "healthz to answer ok again");
        await waitFor(async () => (await exportedCount(server)) === accepted, `all ${accepted} accepted events to be stored`);
        const metrics = await (await fetch(new URL("/metrics", server.url), { headers: { authorization: `Bearer ${server.token}` } })).text();
        expect(metrics).toContain('pulse_events_not_stored_total{reason="refused"} 0\n');
        expect(metrics).toContain('pulse_events_not_stored_total{reason="backlog"} 0\n');
        // Told in a few lines, not one a batch or an event.
        const storageLines = server.output().split("\n").filter((line) => line.startsWith("pulse: storage"));
        expect(storageLines.length).toBeLessThanOrEqual(4);
        console.log(
          `full disk (${_label}): ${accepted} events answered 202, ${storedWhileFull} stored while full, ${accepted} stored after the remount; ` +
            `healthz during the sending: ${healthSeen.map((h) => h.status).join(" ")}\n  ${storageLines.join("\n  ")}`,
        );
      } finally {
        await server.stop();
      }
    },
    60_000,
  );
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
