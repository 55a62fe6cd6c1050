/**
 * What an idle live-widget socket costs the server, beside an idle dashboard: a server process
 * (one process, the real binary's code) gets N sockets of one kind, and its RSS is read before
 * and after, once they have all received their first frame. Widgets are spread over 100 pages (or the number given).
 * Run: bun build.ts --assets-only && bun bench/widget-memory.ts [N] [pages]
 */
import { readFileSync } from "node:fs";
import { startServer } from "../test/helpers/server-process.ts";

const count = Number(process.argv[2] ?? 5000);
const pages = Number(process.argv[3] ?? 100);
const SITE = "bench.test";
const BATCH = 250;
const IDLE_MS = Number(process.argv[4] ?? 6000);
const BunWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024;

/** Opens one socket and resolves once its first frame arrived. */
function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new BunWebSocket(url, { headers: { Origin: origin } });
    socket.addEventListener("message", () => resolve(socket), { once: true });
    socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)));
  });
}

async function measure(kind: "widget" | "dashboard"): Promise<number> {
  const server = await startServer({
    args: ["--live-site", SITE, "--public-site", SITE, "--max-widgets-per-ip", "0", "--max-dashboards-per-ip", "0"],
    timeoutMs: 20_000,
    // Room for them under the reserves that keep files for ingest.
    openFiles: Math.ceil(count * 1.25) + 1000,
  });
  const ws = server.url.replace(/^http/, "ws");
  const origin = server.url.replace(/\/$/, "");
  const pid = server.child.pid;
  Bun.gc(true);
  await Bun.sleep(500);
  const before = rss(pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) =>
      kind === "widget" ? open(`${ws}live?site=${SITE}&page=/page/${(i + j) % pages}&tab=tab${String(i + j).padStart(8, "0")}`, `https://${SITE}`) : open(`${ws}ws?site=${SITE}`, origin),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  // Idle: let the ticks and the widgets' first interval pass, then read.
  await Bun.sleep(IDLE_MS);
  const after = rss(pid);
  for (const socket of sockets) socket.close();
  await server.stop();
  const perSocket = (after - before) / count;
  console.log(`${count} idle ${kind}s: RSS ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB, ${perSocket.toFixed(0)} B a socket`);
  return perSocket;
}

const widget = await measure("widget");
const dashboard = await measure("dashboard");
console.log(`a widget socket: ${widget.toFixed(0)} B; a dashboard socket: ${dashboard.toFixed(0)} B (budget 2,600 B)`);
