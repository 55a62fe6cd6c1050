/**
 * The artifact users run: dist/pulse copied alone into an empty directory starts, serves the
 * embedded dashboard, ingests and pushes, with nothing from the project beside it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerFrame, TickFrame } from "../src/core/wire/protocol.ts";
import { writeMmdb } from "./helpers/mmdb-writer.ts";
import { startServer, type ServerProcess } from "./helpers/server-process.ts";
import { UA } from "./helpers/user-agents.ts";

const BINARY = new URL("../dist/pulse", import.meta.url).pathname;
let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  if (!existsSync(BINARY)) throw new Error("dist/pulse is missing: run `npm run build` (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "pulse-binary-"));
  copyFileSync(BINARY, join(dir, "pulse"));
  // The default data directory, relative to where the binary runs.
  server = await startServer({ command: ["./pulse"], cwd: dir, dataDir: "pulse-data", args: ["--tick-ms", "100"] });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pageviewThrough(target: ServerProcess, path: string, timeZone: string): Promise<TickFrame> {
  const origin = target.url.replace(/\/$/, "");
  const dashboard = await target.dashboard("binary.test");
  await dashboard.waitFor((frame) => frame.type === "snapshot");
  const response = await fetch(`${origin}/api/event`, {
    method: "POST",
    headers: { "user-agent": UA.safariIphone },
    body: JSON.stringify({ n: "pageview", u: `https://binary.test${path}`, d: "binary.test", tz: timeZone }),
  });
  expect(response.status).toBe(202);
  const frame = await dashboard.waitFor((f: ServerFrame) => f.type === "tick" && f.feed.some((item) => item.p === path));
  dashboard.socket.close();
  return frame as TickFrame;
}

describe("the compiled binary, alone in an empty directory", () => {
  test("prints its version and rejects a bad flag with exit code 2", () => {
    const version = Bun.spawnSync(["./pulse", "--version"], { cwd: dir });
    expect(version.stdout.toString()).toMatch(/^pulse \d+\.\d+\.\d+/);
    const bad = Bun.spawnSync(["./pulse", "--port", "nope"], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.toString().trim()).toBe('pulse: --port must be a whole number, not "nope"');
  });

  test("serves the embedded dashboard behind the token it generated and printed", async () => {
    expect((await fetch(server.url)).status).toBe(401);
    const signIn = await fetch(server.signedIn("/"), { redirect: "manual" });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(server.url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/assets/dashboard.js");
    const script = await fetch(new URL("/assets/dashboard.js", server.url));
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(1000);
  });

  test("ingests a pageview and pushes it to a dashboard", async () => {
    const frame = await pageviewThrough(server, "/from-the-binary", "Europe/Paris");
    expect(frame.feed[0]).toMatchObject({ p: "/from-the-binary", d: "Mobile", b: "Safari", o: "iOS", c: "FR" });
    // All it keeps is in its data directory.
    expect(readdirSync(dir).sort()).toEqual(["pulse", "pulse-data"]);
    expect(readdirSync(join(dir, "pulse-data"))).toEqual(expect.arrayContaining(["events.db", "token", "salts.json"]));
  });

  test("with --workers 2, the binary starts itself twice as workers and they exchange events", async () => {
    const cluster = await startServer({ command: ["./pulse"], cwd: dir, args: ["--tick-ms", "100", "--workers", "2"] });
    try {
      expect(cluster.output()).toMatch(/Workers: +2 processes/);
      const answered = new Set<string | null>();
      for (let i = 0; i < 100 && answered.size < 2; i++) {
        const response = await fetch(new URL("/healthz", cluster.url), { keepalive: false, headers: { connection: "close" } });
        answered.add(response.headers.get("x-pulse-worker"));
      }
      expect([...answered].sort()).toEqual(["0", "1"]);
      const frame = await pageviewThrough(cluster, "/from-a-worker", "Asia/Tokyo");
      expect(frame.feed[0]).toMatchObject({ p: "/from-a-worker", c: "JP" });
    } finally {
      await cluster.stop();
    }
  });

  test("with --geoip, the country comes from the database", async () => {
    const database = join(dir, "..", `${dir.split("/").at(-1)}-countries.mmdb`);
    writeFileSync(database, writeMmdb([["127.0.0.0/8", { country: { iso_code: "NZ" } }]]));
    const geoServer = await startServer({ command: ["./pulse"], cwd: dir, args: ["--tick-ms", "100", "--geoip", database] });
    try {
      const frame = await pageviewThrough(geoServer, "/geo", "Europe/Paris");
      expect(frame.feed[0]).toMatchObject({ p: "/geo", c: "NZ" });
    } finally {
      await geoServer.stop();
      rmSync(database, { force: true });
    }
  });

  test("a --geoip file that cannot be read is one clear line and exit code 2", () => {
    const run = Bun.spawnSync(["./pulse", "--port", "0", "--geoip", "nowhere.mmdb"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.toString()).toStartWith("pulse: --geoip: cannot open nowhere.mmdb");
    expect(run.stderr.toString().trim().split("\n")).toHaveLength(1);
  });
});
