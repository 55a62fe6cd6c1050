/**
 * A real server (one process) under a flood of fresh visitors: every request has a User-Agent of
 * its own and names 10 sites, so each one is 10 new (site, visitor) entries. Prints the server's
 * RSS as it goes. Extra arguments are passed to `pulse serve`.
 * Run: bun build.ts && bun bench/visitor-flood.ts [seconds] [-- serve flags…]
 */
import { readFileSync } from "node:fs";
import { startServer } from "../test/helpers/server-process.ts";

const separator = process.argv.indexOf("--");
const seconds = Number(process.argv[2] && process.argv[2] !== "--" ? process.argv[2] : 45);
const serveArgs = separator >= 0 ? process.argv.slice(separator + 1) : [];
const IN_FLIGHT = 32;
const DOMAINS = Array.from({ length: 10 }, (_, i) => `flood${i}.example`).join(",");

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

const server = await startServer({ args: serveArgs, timeoutMs: 20_000 });
const endpoint = new URL("/api/event", server.url).href;
const statuses = new Map<number, number>();
let sent = 0;
const deadline = performance.now() + seconds * 1000;

async function sender(lane: number): Promise<void> {
  while (performance.now() < deadline) {
    const n = sent++;
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "text/plain", "user-agent": `Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/${lane}.${n}` },
      body: JSON.stringify({ n: "pageview", u: `https://flood0.example/p/${n % 100}`, d: DOMAINS }),
    });
    await response.arrayBuffer();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
}

const pid = server.child.pid;
const before = rssMb(pid);
console.log(`serve ${serveArgs.join(" ") || "(defaults)"}; RSS before ${before.toFixed(0)} MB`);
const started = performance.now();
const progress = setInterval(() => {
  const elapsed = (performance.now() - started) / 1000;
  console.log(`${elapsed.toFixed(0)} s: ${sent} requests, RSS ${rssMb(pid).toFixed(0)} MB`);
}, 5000);
await Promise.all(Array.from({ length: IN_FLIGHT }, (_, lane) => sender(lane)));
clearInterval(progress);
await Bun.sleep(1000);
const after = rssMb(pid);
const elapsed = (performance.now() - started) / 1000;
console.log(
  `${sent} requests (${(sent / elapsed).toFixed(0)}/s, ${sent * 10} site visits) in ${elapsed.toFixed(0)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
    `RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`,
);
await server.stop();
