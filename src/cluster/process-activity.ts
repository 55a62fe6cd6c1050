import { readFileSync } from "node:fs";

/**
 * Whether a process that has said nothing for seconds is still at work. A worker flooded with
 * requests can go quiet that long (Bun runs its timers and IPC only between bursts of socket
 * work, see LoopTurns) while it answers every request; a stopped one (SIGSTOP, or frozen by a
 * debugger) or one blocked in a system call uses no CPU. Read from /proc: Linux only; elsewhere
 * nothing is known, and silence alone decides.
 */
export class ProcessActivity {
  /** CPU time of each process at the last look, in clock ticks. */
  private readonly lastCpu = new Map<number, number>();

  constructor(private readonly readStat: (pid: number) => string = (pid) => readFileSync(`/proc/${pid}/stat`, "utf8")) {}

  /** True when `pid` runs and has used CPU since the last look (the first look only sees whether it runs). */
  working(pid: number): boolean {
    const stat = this.stat(pid);
    if (!stat) return false;
    const previous = this.lastCpu.get(pid);
    this.lastCpu.set(pid, stat.cpu);
    if (stat.stopped) return false;
    // Any CPU since the last look (the kernel counts it in ticks of 10 ms): it is at work.
    return previous === undefined || stat.cpu - previous > 0;
  }

  forget(pid: number): void {
    this.lastCpu.delete(pid);
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
