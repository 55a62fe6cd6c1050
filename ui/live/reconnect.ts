/** When the live widget tries again, and when it gives up. Pure, tested without a socket. */

const BASE_MS = 1000;
const CAP_MS = 60_000;
/**
 * Closes in a row without a count, past which the widget gives up. A refused upgrade (400, 403,
 * 429) reaches a page as a close like a lost connection; a socket the server accepts gets its
 * counts at the next tick, and a refusal after that (1008, 1009) would close the next socket too.
 */
const MAX_FAILURES = 10;

/** Whether to try again after this many closes in a row without a count. */
export const shouldRetry = (failures: number): boolean => failures < MAX_FAILURES;

/** Full jitter: anywhere between 0 and the capped exponential step. */
export const retryDelay = (attempt: number, random: number): number => random * Math.min(CAP_MS, BASE_MS * 2 ** attempt);
