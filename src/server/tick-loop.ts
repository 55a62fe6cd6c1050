import type { Publication } from "../core/hub.ts";

export interface TickLoopOptions {
  tickMs: number;
  tick: (time: number) => Publication[];
  publish: (publication: Publication) => void;
  /** Told how long each tick's work took and the interval chosen for the next, in seconds. */
  onTick?: (workSeconds: number, intervalSeconds: number) => void;
  now?: () => number;
}

export interface TickLoop {
  stop(): void;
  /** Runs one tick now (used at shutdown so nothing accepted stays unpublished or unstored). */
  flush(): void;
}

/** Ticks never stretch beyond this: a dashboard hears at least once a second. */
export const MAX_TICK_MS = 1000;
/** Share of wall time ticks may take; the rest stays free for ingest and new dashboards. */
export const TICK_BUDGET_SHARE = 0.5;

/**
 * Adaptive pacing: when a tick's work (aggregation plus fan-out) would take more than its share of
 * the interval, the interval stretches (up to MAX_TICK_MS) instead of the event loop falling
 * behind; it returns to `tickMs` as soon as the work is light again.
 */
export function nextTickInterval(workMs: number, tickMs: number): number {
  return Math.min(MAX_TICK_MS, Math.max(tickMs, workMs / TICK_BUDGET_SHARE));
}

/**
 * Calls `tick` every interval and hands each frame to the transport once. The interval is measured
 * from the start of the previous tick, so a slow tick shortens the wait instead of drifting.
 */
export function startTickLoop({ tickMs, tick, publish, onTick, now = Date.now }: TickLoopOptions): TickLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const runTick = (): number => {
    const started = performance.now();
    for (const publication of tick(now())) publish(publication);
    return performance.now() - started;
  };

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      let workMs = 0;
      try {
        workMs = runTick();
      } catch (error) {
        console.error("pulse: tick failed:", error);
      }
      const interval = nextTickInterval(workMs, tickMs);
      onTick?.(workMs / 1000, interval / 1000);
      if (!stopped) schedule(Math.max(0, interval - workMs));
    }, delay);
  };
  schedule(tickMs);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    flush: () => void runTick(),
  };
}
