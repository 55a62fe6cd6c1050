import type { Publication } from "../core/hub.ts";

export interface TickLoopOptions {
  tickMs: number;
  tick: (time: number) => Publication[];
  publish: (publication: Publication) => void;
  /** Told how long each tick took, in seconds. */
  onTick?: (seconds: number) => void;
  now?: () => number;
}

export interface TickLoop {
  stop(): void;
  /** Runs one tick now (used at shutdown so nothing accepted stays unpublished or unstored). */
  flush(): void;
}

/**
 * Calls `tick` every `tickMs` and hands each frame to the transport once. Ticks are scheduled from
 * the previous tick's start, so a slow tick shortens the wait instead of drifting.
 */
export function startTickLoop({ tickMs, tick, publish, onTick, now = Date.now }: TickLoopOptions): TickLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const runTick = () => {
    const started = performance.now();
    for (const publication of tick(now())) publish(publication);
    onTick?.((performance.now() - started) / 1000);
  };

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      const started = now();
      try {
        runTick();
      } catch (error) {
        console.error("pulse: tick failed:", error);
      }
      if (!stopped) schedule(Math.max(0, tickMs - (now() - started)));
    }, delay);
  };
  schedule(tickMs);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    flush: runTick,
  };
}
