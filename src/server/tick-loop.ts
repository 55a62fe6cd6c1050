import type { FanOut } from "../core/fanout/fan-out.ts";
import type { LoopTurns } from "../core/fanout/loop-turns.ts";
import { nextTickInterval } from "../core/fanout/tick-pacing.ts";
import type { Publication } from "../core/stats/hub.ts";

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
