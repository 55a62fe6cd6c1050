/**
 * A public site's dashboards are open to anyone: one address must not be able to hold every open
 * file of the server. Real processes, because the limit is the process's own.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { openRawDashboard, type RawDashboard } from "../../src/loadtest/raw-dashboard.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { eachTransport } from "../helpers/transports.ts";
import { UA } from "../helpers/user-agents.ts";

const PUBLIC = "open.test";

let server: ServerProcess | undefined;
let sockets: RawDashboard[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.close();
  sockets = [];
  await server?.stop();
  server = undefined;
});

/** Opens dashboards of the public site one after the other until one is refused: the reason, or "never refused". */
/** A refusal as its status line: the client also quotes the body, the server's reason. */
const statusLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split(" {")[0]!;

async function openUntilRefused(running: ServerProcess, token: string | null, most: number): Promise<{ opened: number; refusal: string }> {
  const origin = running.url.replace(/\/$/, "");
  const destination = { origin, ws: origin.replace(/^http/, "ws") };
  for (let opened = 0; opened < most; opened++) {
    try {
      sockets.push(await openRawDashboard({ protocol: "pulse", destination, site: PUBLIC, token }, () => {}, () => {}, 3000));
    } catch (error) {
      return { opened, refusal: statusLine(error) };
    }
  }
  return { opened: most, refusal: "never refused" };
}

/** Opens `count` dashboards of the public site at once: how many opened, and the refusals' status lines. */
async function openAtOnce(running: ServerProcess, count: number): Promise<{ opened: number; refusals: string[] }> {
  const origin = running.url.replace(/\/$/, "");
  const destination = { origin, ws: origin.replace(/^http/, "ws") };
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => openRawDashboard({ protocol: "pulse", destination, site: PUBLIC, token: null }, () => {}, () => {}, 3000)),
  );
  const refusals = new Set<string>();
  for (const result of results) {
    if (result.status === "fulfilled") sockets.push(result.value);
    else refusals.add(statusLine(result.reason));
  }
  return { opened: results.length - results.filter((result) => result.status === "rejected").length, refusals: [...refusals] };
}

/** What /healthz and an ingest request get (or why they got nothing). */
async function httpAnswers(running: ServerProcess): Promise<{ healthz: number | string; ingest: number | string }> {
  const status = (request: Promise<Response>) => request.then((response) => response.status, (error: unknown) => String(error));
  const signal = () => AbortSignal.timeout(3000);
  return {
    healthz: await status(fetch(`${running.url}healthz`, { signal: signal() })),
    ingest: await status(
      fetch(`${running.url}api/event`, {
        method: "POST",
        headers: { "user-agent": UA.firefoxLinux, "content-type": "application/json" },
        body: JSON.stringify({ n: "pageview", u: `https://${PUBLIC}/`, d: PUBLIC }),
        signal: signal(),
      }),
    ),
  };
}

eachTransport("on %s", (_, runtime) => {
  describe("open files", () => {
    test("under a small limit, sockets without the token are refused first, the token holder's later, and HTTP still answers", async () => {
      server = await startServer({ runtime, openFiles: 256, args: ["--public-site", PUBLIC, "--max-dashboards-per-ip", "0"] });
      const full = "upgrade refused: HTTP/1.1 503 Service Unavailable";
      // 256 files: 100 kept for HTTP, 100 more for the token holder.
      expect(await openUntilRefused(server, null, 300)).toEqual({ opened: 56, refusal: full });
      expect(await httpAnswers(server)).toEqual({ healthz: 200, ingest: 202 });
      expect(server.output()).toContain("refusing dashboards without the token");

      expect(await openUntilRefused(server, server.token, 300)).toEqual({ opened: 100, refusal: full });
      expect(await httpAnswers(server)).toEqual({ healthz: 200, ingest: 202 });

      // Closed sockets give their places back.
      for (const socket of sockets.splice(0)) socket.close();
      await Bun.sleep(200);
      expect((await openUntilRefused(server, null, 10)).opened).toBe(10);
    }, 60_000);

    test("by default, one address gets 100 dashboards without the token; the token holder's are not counted", async () => {
      server = await startServer({ runtime, args: ["--public-site", PUBLIC] });
      expect(await openUntilRefused(server, null, 150)).toEqual({ opened: 100, refusal: "upgrade refused: HTTP/1.1 429 Too Many Requests" });
      expect(await openUntilRefused(server, server.token, 150)).toEqual({ opened: 150, refusal: "never refused" });
    }, 60_000);

    test("each worker process keeps its own reserve under its own limit", async () => {
      server = await startServer({ runtime, openFiles: 256, args: ["--workers", "2", "--public-site", PUBLIC, "--max-dashboards-per-ip", "0"], timeoutMs: 20_000 });
      // The kernel spreads 200 connections about evenly over the two workers: each fills its 56 places.
      expect(await openAtOnce(server, 200)).toEqual({ opened: 112, refusals: ["upgrade refused: HTTP/1.1 503 Service Unavailable"] });
      expect(await httpAnswers(server)).toEqual({ healthz: 200, ingest: 202 });
    }, 60_000);
  });
});
