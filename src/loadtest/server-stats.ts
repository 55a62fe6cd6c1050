/**
 * RSS and CPU time of a server on this machine, read from /proc (Linux). Found by the port it
 * listens on when no pid is given: the socket's inode in /proc/net/tcp*, then the processes
 * holding it (several when workers share the port) and their common parent (Pulse's primary).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const CLOCK_TICKS = 100;

export interface ProcessSample {
  /** The processes summed: one server, or a primary and its workers. */
  pids: number[];
  rssBytes: number;
  cpuSeconds: number;
  at: number;
}

/** The processes' RSS and CPU time, summed; null when none of them is alive. */
export function sampleProcesses(pids: readonly number[]): ProcessSample | null {
  let rssBytes = 0;
  let cpuSeconds = 0;
  const alive: number[] = [];
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      const fields = statFields(pid);
      // utime and stime are the 12th and 13th fields after the command name.
      cpuSeconds += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      rssBytes += rssKb * 1024;
      alive.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return alive.length === 0 ? null : { pids: alive, rssBytes, cpuSeconds, at: performance.now() };
}

/** Fields of /proc/pid/stat after the command name (which may hold spaces): state, ppid, … */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The server processes listening on `port`, plus their parent when several share one (a supervising primary). */
export function findServerPids(port: number): number[] {
  const listening = findListeningPids(port);
  if (listening.length < 2) return listening;
  const parents = new Set(
    listening.map((pid) => {
      try {
        return Number(statFields(pid)[1]);
      } catch {
        return 0;
      }
    }),
  );
  const [parent] = parents;
  return parents.size === 1 && parent ? [parent, ...listening] : listening;
}

function findListeningPids(port: number): number[] {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN.
      if (local && fields[3] === "0A" && Number.parseInt(local.split(":")[1] ?? "", 16) === port) inodes.add(fields[9]!);
    }
  }
  const pids: number[] = [];
  if (inodes.size === 0) return pids;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`))?.[1];
        if (inode && inodes.has(inode)) {
          pids.push(Number(entry));
          break;
        }
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return pids;
}
