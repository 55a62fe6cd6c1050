/**
 * RSS and CPU time of a server on this machine, read from /proc (Linux). Found by the port it
 * listens on when no pid is given: the socket's inode in /proc/net/tcp*, then the process holding it.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const CLOCK_TICKS = 100;

export interface ProcessSample {
  pid: number;
  rssBytes: number;
  cpuSeconds: number;
  at: number;
}

export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { pid, rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS, at: performance.now() };
  } catch {
    return null;
  }
}

export function findListeningPid(port: number): number | null {
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
  if (inodes.size === 0) return null;
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
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return null;
}
