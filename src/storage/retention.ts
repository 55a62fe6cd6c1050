import type { EventStore } from "./event-store.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Rows deleted per step: a few milliseconds of work, then the event loop serves requests again. */
const ROWS_PER_STEP = 5_000;

/**
 * Deletes events older than the retention period, at start and then hourly, in small steps that
 * yield to the event loop between them, so pruning a large backlog never stalls ingest.
 */
export function startRetention(store: EventStore, days: number, now: () => number = Date.now) {
  let running = false;
  let stopped = false;
  let step: ReturnType<typeof setTimeout> | undefined;

  const prune = () => {
    if (running || stopped) return;
    running = true;
    const before = now() - days * DAY_MS;
    const next = () => {
      if (stopped) return;
      const deleted = store.prune(before, ROWS_PER_STEP);
      if (deleted === ROWS_PER_STEP) step = setTimeout(next, 0);
      else running = false;
    };
    next();
  };

  prune();
  const hourly = setInterval(prune, HOUR_MS);
  return {
    stop() {
      stopped = true;
      clearInterval(hourly);
      clearTimeout(step);
    },
  };
}
