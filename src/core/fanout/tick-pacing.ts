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
 * How long before the next tick is due a node sends what it accepted, so that its batch is in line
 * ahead of that tick (a round trip to Redis is well under this on a LAN): an event then reaches every
 * dashboard within a tick of being accepted, not two. A worker sends a little further ahead, so
 * that its primary has its events before it sends the node's.
 */
export const SEND_AHEAD_MS = 25;

/**
 * When, after a tick of `intervalMs`, to send what was accepted: `steps` times SEND_AHEAD_MS before
 * the next is due (1 for a node, a little more for its workers), a step at most a quarter of the interval.
 */
export function sendAheadDelay(intervalMs: number, steps: number): number {
  return Math.max(0, intervalMs - steps * Math.min(SEND_AHEAD_MS, intervalMs / 4));
}
