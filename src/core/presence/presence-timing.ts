/**
 * How long a tab stays present without a word, and how often the tracker says it is still there
 * (docs/protocol.md, "Presence"). A file of its own so the tracker's build takes these two numbers
 * and nothing else.
 */

/** A tab that has sent nothing for this long is no longer present. */
export const PRESENCE_TTL_MS = 5 * 60_000;
/** How often the tracker says "here" while its page is visible: well within the TTL, so one lost beacon loses nothing. */
export const PRESENCE_HEARTBEAT_MS = 2 * 60_000;
