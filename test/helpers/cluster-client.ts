/**
 * Requests to a `serve --workers N` server for tests: each on a new connection, so the kernel
 * picks a worker afresh each time, and every answer names the worker that gave it.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ServerProcess } from "./server-process.ts";
import { UA } from "./user-agents.ts";

export const fresh = { keepalive: false, headers: { connection: "close" } } as const;

export interface Answer {
  status: number;
  worker: string | null;
  /** Why the event was not counted (x-pulse-dropped), if it was not. */
  dropped: string | null;
  /** Why the event, stored, may not show in the live figures (x-pulse-not-live). */
  notLive: string | null;
}

/** POSTs one event for `sites` (comma-separated); `visitor` varies the User-Agent, so each value is another visitor. */
export async function sendEvent(server: ServerProcess, sites: string, path: string, visitor = 0): Promise<Answer> {
  const base = server.url.replace(/\/$/, "");
  const first = sites.split(",")[0]!;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${base}/api/event`, {
        ...fresh,
        method: "POST",
        headers: { ...fresh.headers, "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
        body: JSON.stringify({ n: "pageview", u: `https://${first}${path}`, d: sites }),
      });
      await response.arrayBuffer();
      return { status: response.status, worker: response.headers.get("x-pulse-worker"), dropped: response.headers.get("x-pulse-dropped"), notLive: response.headers.get("x-pulse-not-live") };
    } catch (error) {
      // A connection the kernel had queued for a worker that was just killed: send again, as a tracker
      // would not, but a test must. A killed process frees its memory before its sockets, so a busy
      // machine may take a while to close the listener: later attempts wait longer.
      if (attempt >= 9) throw error;
      await Bun.sleep(10 * (attempt + 1));
    }
  }
}

/** GETs `path` on new connections until each of `workers` has answered; returns each worker's body. */
export async function fromEachWorker(server: ServerProcess, path: string, workers: readonly string[] = ["0", "1"]): Promise<Map<string, string>> {
  const base = server.url.replace(/\/$/, "");
  const bodies = new Map<string, string>();
  for (let attempt = 0; attempt < 200 && bodies.size < workers.length; attempt++) {
    try {
      const response = await fetch(`${base}${path}`, { ...fresh, headers: { ...fresh.headers, authorization: `Bearer ${server.token}` } });
      const worker = response.headers.get("x-pulse-worker");
      const body = await response.text();
      if (worker !== null && !bodies.has(worker)) bodies.set(worker, body);
    } catch {
      // A worker restarting: try again.
    }
  }
  if (bodies.size < workers.length) throw new Error(`only workers ${[...bodies.keys()]} answered ${path}`);
  return bodies;
}

/** A sample's value in Prometheus text, NaN when absent. */
export const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);

/** The pids of the primary's children now: its workers, including any started since the banner. */
export function childPids(primary: number): number[] {
  return readdirSync(`/proc/${primary}/task`).flatMap((task) =>
    readFileSync(`/proc/${primary}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
}

/** The worker pids the banner printed. */
export function workerPids(output: string): number[] {
  const match = /Workers:.*\(pids ([\d, ]+)\)/.exec(output);
  return (match?.[1] ?? "").split(",").map((pid) => Number(pid.trim()));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (killed, not yet reaped) counts as gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

export function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024;
}
