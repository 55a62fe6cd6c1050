/**
 * Pause and rewind on the wire (docs/protocol.md, "Pause and rewind"): the page asks its view's
 * socket for the view as it was at a moment, and that socket alone gets the answer.
 */
import type { RewindCommand } from "../src/core/wire/protocol.ts";

export type { RewindFrame } from "../src/core/wire/protocol.ts";

export function rewindCommand(at: number): string {
  return JSON.stringify({ type: "rewind", at } satisfies RewindCommand);
}
