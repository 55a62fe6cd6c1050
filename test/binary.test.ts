/**
 * The artifact users run: dist/pulse copied alone into an empty directory starts, serves the
 * embedded dashboard, ingests and pushes, with nothing from the project beside it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerFrame, TickFrame } from "../src/core/protocol.ts";
import { openDashboard } from "./helpers/dashboard-client.ts";
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
  server = await startServer({ command: ["./pulse"], cwd: dir, args: ["--tick-ms", "100"] });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pageviewThrough(target: ServerProcess, path: string, timeZone: string): Promise<TickFrame> {
  const origin = target.url.replace(/\/$/, "");
  const dashboard = await openDashboard(`${origin.replace("http", "ws")}/ws?site=binary.test`, origin);
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

  test("serves the embedded dashboard", async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/assets/dashboard.js");
    const script = await fetch(new URL("/assets/dashboard.js", server.url));
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(1000);
  });

  test("ingests a pageview and pushes it to a dashboard", async () => {
    const frame = await pageviewThrough(server, "/from-the-binary", "Europe/Paris");
    expect(frame.feed[0]).toMatchObject({ p: "/from-the-binary", d: "Mobile", b: "Safari", o: "iOS", c: "FR" });
    // It wrote nothing beside itself.
    expect(readdirSync(dir)).toEqual(["pulse"]);
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
