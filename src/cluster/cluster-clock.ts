/**
 * The primary's clock for `--workers`: one tick for every worker, sent through the relay in line
 * with the batches. The next tick waits for every worker to have written the last one, as a single
 * process's loop waits for its own fan-out: a slow fan-out stretches the ticks instead of piling
 * frames up in the workers. It waits within a deadline, though: a worker that has not finished by
 * then is not waited for until it catches up, so one silent worker cannot hold everyone's ticks;
 * and a worker that leaves a tick unfinished for `hungMs` while saying nothing at all (see `heard`)
 * is reported hung. A busy worker that is behind but still talking is not: it is catching up; nor
 * is one that is silent but still at work (`stillWorking`), up to `silentWorkMs`.
 */
import type { Tick } from "../control/control-plane.ts";
import { MAX_TICK_MS, nextTickInterval } from "../core/fanout/tick-pacing.ts";
import { systemTimers, type Timers } from "../core/timers.ts";

/** How long a tick waits, past its interval, for workers still writing the last one. */
export const TICK_DEADLINE_MS = MAX_TICK_MS;
/**
 * A worker silent this long, with a tick unfinished, is hung. A worker says something every
 * second at least (its figures), and the slowest healthy fan-out takes about a second.
 */
export const HUNG_AFTER_MS = 3_000;
/**
 * A silent worker still using CPU is flooded, not hung (see ProcessActivity), unless it stays
 * silent this long: then it is stuck in a loop, or so far behind that a restart is the way out.
 */
export const SILENT_WORK_MS = 30_000;

export interface ClusterClockOptions {
  deadlineMs?: number;
  hungMs?: number;
  silentWorkMs?: number;
  /** Asked about a worker silent for `hungMs`: true if it is still at work (then it is not hung yet). */
  stillWorking?: (worker: number) => boolean;
  /** Told once about a worker that has stopped answering; the clock no longer counts it. */
  onHung?: (worker: number) => void;
  /** The clock and timers (tests move time by hand). */
  timers?: Timers;
}

interface Member {
  /** The ticks sent to it and not yet finished, oldest first (a worker finishes them in order). */
  unfinished: Array<{ number: number; sentAt: number }>;
  /** When it last said anything. */
  heardAt: number;
}

export class ClusterClock {
  /** Workers that take part: ready, and not gone. */
  private readonly members = new Map<number, Member>();
  /** Members yet to finish the current tick, among those that had finished the one before. */
  private waiting = new Set<number>();
  private number = 0;
  private slowestMs = 0;
  private intervalElapsed = false;
  private timer: unknown;
  private deadline: unknown;
  private stopped = false;
  private readonly deadlineMs: number;
  private readonly hungMs: number;
  private readonly silentWorkMs: number;
  private readonly timers: Timers;

  constructor(
    private readonly tickMs: number,
    private readonly send: (tick: Tick) => void,
    private readonly options: ClusterClockOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? TICK_DEADLINE_MS;
    this.hungMs = options.hungMs ?? HUNG_AFTER_MS;
    this.silentWorkMs = options.silentWorkMs ?? SILENT_WORK_MS;
    this.timers = options.timers ?? systemTimers;
  }

  start(): void {
    this.wait(this.tickMs);
  }

  /** From the next tick on, `worker` is waited for; ticks it was sent before are not its to answer. */
  join(worker: number): void {
    this.members.set(worker, { unfinished: [], heardAt: this.timers.now() });
  }

  /** `worker` said something (any message): it is alive, if perhaps behind. */
  heard(worker: number): void {
    const member = this.members.get(worker);
    if (member) member.heardAt = this.timers.now();
  }

  leave(worker: number): void {
    this.members.delete(worker);
    this.waiting.delete(worker);
    this.maybeTick();
  }

  /** `worker` has written the last pass of tick `number`, which took it `workMs`. */
  done(worker: number, number: number, workMs: number): void {
    const member = this.members.get(worker);
    if (!member) return;
    member.heardAt = this.timers.now();
    if (member.unfinished[0] === undefined || member.unfinished[0].number > number) return;
    while (member.unfinished[0] !== undefined && member.unfinished[0].number <= number) member.unfinished.shift();
    this.slowestMs = Math.max(this.slowestMs, workMs);
    if (number === this.number && this.waiting.delete(worker)) this.maybeTick();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.deadline);
  }

  private tick(): void {
    this.timers.clearTimeout(this.deadline);
    const time = this.timers.now();
    this.reportHung(time);
    const intervalMs = nextTickInterval(this.slowestMs, this.tickMs);
    this.slowestMs = 0;
    const number = ++this.number;
    this.waiting = new Set();
    for (const [worker, member] of this.members) {
      // Only a worker that finished the last tick is waited for: one behind catches up first.
      if (member.unfinished.length === 0) this.waiting.add(worker);
      member.unfinished.push({ number, sentAt: time });
    }
    this.send({ number, time, intervalMs });
    this.wait(intervalMs);
  }

  private reportHung(time: number): void {
    for (const [worker, member] of this.members) {
      const oldest = member.unfinished[0];
      if (oldest === undefined || time - oldest.sentAt < this.hungMs || time - member.heardAt < this.hungMs) continue;
      if (time - member.heardAt < this.silentWorkMs && this.options.stillWorking?.(worker)) continue;
      this.members.delete(worker);
      this.options.onHung?.(worker);
    }
  }

  private wait(intervalMs: number): void {
    this.intervalElapsed = false;
    this.timer = this.timers.setTimeout(() => {
      this.intervalElapsed = true;
      this.maybeTick();
      if (this.waiting.size > 0) {
        this.deadline = this.timers.setTimeout(() => {
          this.waiting.clear();
          this.maybeTick();
        }, this.deadlineMs);
      }
    }, intervalMs);
  }

  private maybeTick(): void {
    if (!this.stopped && this.intervalElapsed && this.waiting.size === 0) this.tick();
  }
}
