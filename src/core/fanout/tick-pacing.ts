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
