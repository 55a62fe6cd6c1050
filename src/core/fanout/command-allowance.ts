import { refilled } from "../ingest/rate-limiter.ts";

/**
 * Each command costs the server a snapshot of up to 15 KiB for a message of some 40 bytes, so a
 * socket's commands are limited: a token bucket of COMMAND_BURST, refilled at COMMANDS_PER_SECOND.
 * Pulse's dashboard sends one when its site's sequence starts over, which is rare; a client that
 * switches sites by hand or on a timer stays far below it too.
 */
export const COMMAND_BURST = 5;
export const COMMANDS_PER_SECOND = 1;
export const TOO_MANY_COMMANDS = `more than ${COMMAND_BURST} commands at once or ${COMMANDS_PER_SECOND} a second`;

/** The bucket, kept on the socket itself: two numbers, nothing in the server. */
export interface CommandAllowance {
  /** Commands left; absent until the first command (a full bucket). */
  commandTokens?: number;
  /** When `commandTokens` was last brought up to date (ms). */
  commandsAt?: number;
}

/** Spends one command of the socket's allowance at `time`; false when none is left. */
export function takeCommand(allowance: CommandAllowance, time: number): boolean {
  const tokens =
    allowance.commandTokens === undefined
      ? COMMAND_BURST
      : refilled(allowance.commandTokens, time - (allowance.commandsAt ?? time), COMMANDS_PER_SECOND, COMMAND_BURST);
  allowance.commandsAt = time;
  if (tokens < 1) {
    allowance.commandTokens = tokens;
    return false;
  }
  allowance.commandTokens = tokens - 1;
  return true;
}
