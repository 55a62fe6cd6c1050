/**
 * What on the page moves with the clock (relative times, the last event's age, the reconnect
 * countdown, the charts' sliding window) is drawn again every CLOCK_REDRAW_MS. Each draw reads the
 * clock, so while frames keep drawing the page, several times a second, a draw of its own would
 * only repeat what they drew: the clock draws only when no draw came in the last half interval.
 */
export const CLOCK_REDRAW_MS = 1000;

export function clockRedrawDue(lastDrawAt: number, now: number): boolean {
  return now - lastDrawAt >= CLOCK_REDRAW_MS / 2;
}
