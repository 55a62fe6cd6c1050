/** When the live widget tries again, and when it gives up. Pure, tested without a socket. */

const BASE_MS = 1000;
const CAP_MS = 60_000;
/** Refusals the server states (close code 1008, 1009 or 4000-4999): the same request will not do better. */
const MAX_REFUSALS = 3;
/** Connections in a row that never opened: a refused upgrade (403, 429) looks like this to a page. */
const MAX_FAILED_OPENS = 10;

/** Full jitter: anywhere between 0 and the capped exponential step. */
export function retryDelay(attempt: number, random: number): number {
  return random * Math.min(CAP_MS, BASE_MS * 2 ** attempt);
}

export function isRefusal(code: number): boolean {
  return code === 1008 || code === 1009 || (code >= 4000 && code < 5000);
}

export interface Attempts {
  /** Tries since the socket last opened. */
  failedOpens: number;
  refusals: number;
}

/** After a close: whether to try again. */
export function shouldRetry(attempts: Attempts, code: number): boolean {
  if (isRefusal(code)) attempts.refusals++;
  return attempts.refusals < MAX_REFUSALS && attempts.failedOpens < MAX_FAILED_OPENS;
}
