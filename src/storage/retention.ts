/** What retention needs of a store: SQLite's answers at once, PostgreSQL's in a promise. */
export type Prunable = { prune: (before: number, limit: number) => number | Promise<number> };
import { describeFailure } from "./storage-health.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Rows deleted per step: a few milliseconds of work, then the event loop serves requests again. */
const ROWS_PER_STEP = 5_000;

/**
 * Deletes events older than the retention period, at start and then hourly, in small steps that
 * yield to the event loop between them, so pruning a large backlog never stalls ingest.
 */
export function startRetention(store: Prunable, days: number, now: () => number = Date.now, log: (line: string) => void = console.error) {
  let running = false;
  let stopped = false;
  let step: ReturnType<typeof setTimeout> | undefined;

  const prune = () => {
    if (running || stopped) return;
    running = true;
    const before = now() - days * DAY_MS;
    const next = async () => {
      if (stopped) return;
      let deleted = 0;
      try {
        deleted = await store.prune(before, ROWS_PER_STEP);
      } catch (error) {
        // A full disk or a locked file: the next hourly run tries again; the server goes on.
        log(`pulse: pruning events older than ${days} days failed, tried again in an hour: ${describeFailure(error)}`);
      }
      if (deleted >= ROWS_PER_STEP && !stopped) step = setTimeout(next, 0);
      else running = false;
    };
    void next();
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
