/** The tab: its id, and what the server is told of its presence (see "Presence" in docs/tracker.md). */

/**
 * A random tab id of 12 to 14 characters [0-9a-z], made once per document and kept in memory only:
 * it lives exactly as long as the page. Each half is a number from 1e8 to below 1e8 + 2^32, 6 or 7
 * digits in base 36 (36^5 < 1e8, and 1e8 + 2^32 < 36^7). `crypto.getRandomValues` is in every
 * browser the tracker supports, on http pages too.
 */
export const tabId = (crypto: Pick<Crypto, "getRandomValues">): string => {
  const half = () => (1e8 + crypto.getRandomValues(new Uint32Array(1))[0]!).toString(36);
  return half() + half();
};

/** Whether a page-lifecycle event leaves the tab present: while its page is shown, until it is hidden or left. */
export const isPresentAfter = (eventType: string, visibilityState: string): boolean =>
  eventType != "pagehide" && visibilityState == "visible";

/**
 * Remembers what the server was last told, so that each leave sends one "gone" (a tab closing fires
 * visibilitychange to hidden, then pagehide) and each return one "here". A pageview says "here"
 * too: tell it `true` and send nothing. Returns the signal to send, if the server does not know it.
 */
export const presenceTeller = (): ((present: boolean) => "here" | "gone" | undefined) => {
  let told = true;
  return (present) => (present != told ? ((told = present) ? "here" : "gone") : undefined);
};
