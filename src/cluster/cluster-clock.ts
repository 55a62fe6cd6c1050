/**
 * The primary's clock for `--workers`: one tick for every worker, sent through the relay in line
 * with the batches. The next tick waits for every worker to have written the last one, as a single
 * process's loop waits for its own fan-out: a slow fan-out stretches the ticks instead of piling
 * frames up in the workers.
 */
import type { Tick } from "../bus/event-bus.ts";
import { nextTickInterval } from "../server/tick-loop.ts";

/** A worker that has not finished a tick after this long is not waited for any more. */
const STUCK_MS = 10_000;

export class ClusterClock {
  /** Workers that take part: ready, and not gone. */
  private readonly members = new Set<number>();
  /** Members yet to finish the current tick. */
  private waiting = new Set<number>();
  private slowestMs = 0;
  private intervalElapsed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stuck: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly tickMs: number,
    private readonly send: (tick: Tick) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.wait(this.tickMs);
  }

  join(worker: number): void {
    this.members.add(worker);
  }

  leave(worker: number): void {
    this.members.delete(worker);
    this.waiting.delete(worker);
    this.maybeTick();
  }

  /** `worker` has written its last pass of the current tick, which took it `workMs`. */
  done(worker: number, workMs: number): void {
    if (!this.waiting.delete(worker)) return;
    this.slowestMs = Math.max(this.slowestMs, workMs);
    this.maybeTick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.stuck);
  }

  private tick(): void {
    clearTimeout(this.stuck);
    const intervalMs = nextTickInterval(this.slowestMs, this.tickMs);
    this.slowestMs = 0;
    this.waiting = new Set(this.members);
    this.send({ time: this.now(), intervalMs });
    this.wait(intervalMs);
  }

  private wait(intervalMs: number): void {
    this.intervalElapsed = false;
    this.timer = setTimeout(() => {
      this.intervalElapsed = true;
      this.maybeTick();
      if (this.waiting.size > 0) {
        this.stuck = setTimeout(() => {
          this.waiting.clear();
          this.maybeTick();
        }, STUCK_MS);
      }
    }, intervalMs);
  }

  private maybeTick(): void {
    if (!this.stopped && this.intervalElapsed && this.waiting.size === 0) this.tick();
  }
}
