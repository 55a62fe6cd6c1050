/**
 * Where uWebSockets.js 20.30, the build on npm for Node.js 20, answers hostile input differently
 * from the newer uWebSockets inside Bun.serve. It is its C++ parser, which Pulse does not reach:
 * - a request it cannot parse (a bad request line or header, HTTP/2's preface, LF line endings),
 *   and any HTTP/1.0 request, gets no answer: the connection is held until uWebSockets' 10-second
 *   idle timeout closes it (checked in test/server/uws-transport.test.ts);
 * - a client frame without a mask is taken as it is, and a frame header announcing more than a
 *   command (up to the 16 KiB it accepts) is waited on, within the socket's idle timeout.
 * Everything it does answer must answer as on Bun.
 */
import type { RawCase } from "./cases.ts";

/** How long a raw request uWebSockets.js 20.30 may hold is given to be answered: what it answers, it answers at once. */
export const UWS_HELD_WAIT_MS = 500;

/** Raw requests uWebSockets.js 20.30 may leave unanswered (it answers the rest, as Bun.serve does). */
export function uwsMayHold(fuzzCase: RawCase): boolean {
  return fuzzCase.expect.some((status) => status >= 400) || fuzzCase.label.includes("HTTP/1.0");
}

/** Socket garbage after which uWebSockets.js 20.30 may keep the socket open. */
export const UWS_MAY_KEEP_OPEN: ReadonlySet<string> = new Set(["an unmasked frame", "a 16-bit length over the limit"]);
