import { readFileSync } from "node:fs";

/** Below this hard limit, the open-file limit and not the machine caps the dashboards one process holds. */
const COMFORTABLE_LIMIT = 65_536;
/** Descriptors kept for the listening socket, the database, ingest connections and the like. */
const RESERVED = 100;

export interface FileLimit {
  soft: number;
  hard: number;
}

/** The process's open-file limits from /proc (Linux); null where they cannot be read. */
export function readFileLimit(limits = () => readFileSync("/proc/self/limits", "utf8")): FileLimit | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits());
    if (!match) return null;
    const value = (text: string) => (text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text));
    return { soft: value(match[1]!), hard: value(match[2]!) };
  } catch {
    return null;
  }
}

/**
 * A line to print at start-up when the open-file limit caps the connection count. Bun raises the
 * soft limit to the hard one when it starts, so only the hard limit (set by the service manager or
 * the shell: LimitNOFILE=, ulimit -Hn) is left to warn about.
 */
export function fileLimitWarning(limit: FileLimit | null, workers = 1): string | null {
  if (!limit) return null;
  // The limit is per process: each worker holds its own share of the dashboards.
  const most = (perProcess: number) =>
    workers > 1 ? `about ${perProcess - RESERVED} dashboards per worker, ${workers * (perProcess - RESERVED)} with ${workers} workers` : `about ${perProcess - RESERVED} dashboards at most`;
  if (limit.soft < limit.hard) {
    return `pulse: the open-file limit is ${limit.soft} (hard limit ${limit.hard}): ${most(limit.soft)}; raise it with ulimit -n ${limit.hard}`;
  }
  if (limit.hard >= COMFORTABLE_LIMIT) return null;
  return `pulse: the open-file limit is ${limit.hard}: ${most(limit.hard)}${workers > 1 ? "" : " in this process"}; raise LimitNOFILE (see docs/deploy.md)`;
}
