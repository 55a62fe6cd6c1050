import type { Publication } from "../core/hub.ts";
import { LoopTurns } from "./loop-turns.ts";

export interface TickLoopOptions {
  tickMs: number;
  tick: (time: number) => Publication[];
  fanOut: FanOut;
  /** Told how long each tick's work took and the interval chosen for the next, in seconds. */
  onTick?: (workSeconds: number, intervalSeconds: number) => void;
  now?: () => number;
  /** Requests answered: a tick whose timer is a whole interval late runs from the next one. */
  turns?: LoopTurns;
}

export interface TickLoop {
  stop(): void;
  /** Runs one tick now (used at shutdown so nothing accepted stays unpublished or unstored). */
  flush(): void;
}

/** Ticks never stretch beyond this: a dashboard hears at least once a second. */
export const MAX_TICK_MS = 1000;
/**
 * Share of wall time a tick may take, from its start until its last pass is written. That time
 * includes the requests answered between passes, so even a tick near its budget leaves ingest
 * waiting no longer than one pass.
 */
export const TICK_BUDGET_SHARE = 0.75;

/**
 * Adaptive pacing: when a tick's work (aggregation plus fan-out) would take more than its share of
 * the interval, the interval stretches (up to MAX_TICK_MS) instead of the event loop falling
 * behind; it returns to `tickMs` as soon as the work is light again.
 */
export function nextTickInterval(workMs: number, tickMs: number): number {
  return Math.min(MAX_TICK_MS, Math.max(tickMs, workMs / TICK_BUDGET_SHARE));
}

/**
 * Writes each tick's frames to the transport, pass by pass (see TopicShards.passes): the transport
 * writes each pass before the next begins, and requests that arrived meanwhile are answered in
 * between. Ticks go out in order: a tick's frames wait until the previous tick's last pass.
 */
export class FanOut {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly publish: (publication: Publication) => void,
    private readonly passes: (publications: Publication[]) => Publication[][] = (all) => [all],
    /** How a pass waits for the event loop to turn (the transport writes it, requests are read). */
    private readonly turns = new LoopTurns(),
  ) {}

  /** Resolves with the milliseconds from the call until the last pass was written. */
  send(publications: Publication[]): Promise<number> {
    const started = performance.now();
    const done = this.last.then(async () => {
      for (const pass of this.passes(publications)) {
        for (const publication of pass) this.publish(publication);
        await this.turns.next();
      }
      return performance.now() - started;
    });
    this.last = done.catch(() => undefined);
    return done;
  }

  /** At shutdown nothing else waits: every pass at once. */
  sendNow(publications: Publication[]): void {
    for (const pass of this.passes(publications)) for (const publication of pass) this.publish(publication);
  }
}

/**
 * Calls `tick` every interval and hands its frames to the fan-out. The interval is measured from
 * the start of the previous tick, so a slow tick shortens the wait instead of drifting; the work
 * is timed until the last pass is written, so pacing sees the fan-out, not just the publish calls.
 */
export function startTickLoop({ tickMs, tick, fanOut, onTick, now = Date.now, turns }: TickLoopOptions): TickLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;
  /** When the timer should fire. */
  let dueAt = 0;

  const run = async () => {
    running = true;
    let workMs = 0;
    try {
      workMs = await fanOut.send(tick(now()));
    } catch (error) {
      console.error("pulse: tick failed:", error);
    }
    const interval = nextTickInterval(workMs, tickMs);
    onTick?.(workMs / 1000, interval / 1000);
    running = false;
    if (!stopped) schedule(Math.max(0, interval - workMs));
  };
  const schedule = (delay: number) => {
    dueAt = now() + delay;
    timer = setTimeout(run, delay);
  };
  schedule(tickMs);
  turns?.onRequest((time) => {
    if (running || stopped || time - dueAt < tickMs) return;
    clearTimeout(timer);
    void run();
  });

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    flush: () => fanOut.sendNow(tick(now())),
  };
}
