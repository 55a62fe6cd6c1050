import { readFileSync } from "node:fs";
import { admissionLimits } from "../core/fanout/socket-admission.ts";

/** Below this hard limit, the open-file limit and not the machine caps the dashboards one process holds. */
const COMFORTABLE_LIMIT = 65_536;

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
  // The limit is per process: each worker holds its own share of the dashboards, and keeps files for HTTP.
  const most = (perProcess: number) => {
    const { ceiling } = admissionLimits(perProcess, 0);
    return workers > 1 ? `about ${ceiling} dashboards per worker, ${workers * ceiling} with ${workers} workers` : `about ${ceiling} dashboards at most`;
  };
  if (limit.soft < limit.hard) {
    return `pulse: the open-file limit is ${limit.soft} (hard limit ${limit.hard}): ${most(limit.soft)}; raise it with ulimit -n ${limit.hard}`;
  }
  if (limit.hard >= COMFORTABLE_LIMIT) return null;
  return `pulse: the open-file limit is ${limit.hard}: ${most(limit.hard)}${workers > 1 ? "" : " in this process"}; raise LimitNOFILE (see docs/deploy.md)`;
}
