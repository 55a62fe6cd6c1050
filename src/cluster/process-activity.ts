import { readFileSync } from "node:fs";

/**
 * Whether a process that has said nothing for seconds is still at work. A worker flooded with
 * requests can go quiet that long (Bun runs its timers and IPC only between bursts of socket
 * work, see LoopTurns) while it answers every request; a stopped one (SIGSTOP, or frozen by a
 * debugger) or one blocked in a system call uses no CPU. Read from /proc: Linux only; elsewhere
 * nothing is known, and silence alone decides.
 */
/** How far apart two looks at a process's CPU time must be to tell whether it is at work. */
export const LOOK_WINDOW_MS = 500;

export class ProcessActivity {
  /** Each process at the last look: its CPU time in clock ticks, when, and what was concluded. */
  private readonly looks = new Map<number, { cpu: number; at: number; working: boolean }>();

  constructor(
    private readonly readStat: (pid: number) => string = (pid) => readFileSync(`/proc/${pid}/stat`, "utf8"),
    private readonly now: () => number = Date.now,
    /** Looks closer together than this give the last answer: CPU time is counted in 10 ms ticks. */
    private readonly windowMs = LOOK_WINDOW_MS,
  ) {}

  /**
   * True when `pid` runs and has used CPU since the last look at least `windowMs` ago (the first
   * look only sees whether it runs). Cheap to ask often: /proc is read once per window.
   */
  working(pid: number): boolean {
    const time = this.now();
    const last = this.looks.get(pid);
    if (last && time - last.at < this.windowMs) return last.working;
    const stat = this.stat(pid);
    // Any CPU since the last look (the kernel counts it in ticks of 10 ms): it is at work.
    const working = stat !== undefined && !stat.stopped && (last === undefined || stat.cpu > last.cpu);
    this.looks.set(pid, { cpu: stat?.cpu ?? 0, at: time, working });
    return working;
  }

  forget(pid: number): void {
    this.looks.delete(pid);
  }

  private stat(pid: number): { stopped: boolean; cpu: number } | undefined {
    let text: string;
    try {
      text = this.readStat(pid);
    } catch {
      return undefined;
    }
    // The command name, in parentheses, may hold spaces: the fields after it are counted from its end.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (state === undefined || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return { stopped: state === "T" || state === "t", cpu: utime + stime };
  }
}
