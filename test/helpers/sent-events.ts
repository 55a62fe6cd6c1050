/**
 * Records the events a page POSTs to Pulse's ingest API, for browser tests that assert exactly
 * what a tracker sent (and so what it did not send).
 */
import type { BrowserContext, Page } from "playwright-core";
import type { Payload } from "../../ui/tracker/payload.ts";

export interface SentEvent {
  payload: Payload;
  url: string;
  /** How the server answered: status 0 if the request failed or the page closed first; `dropped` is its X-Pulse-Dropped header. */
  answer: Promise<{ status: number; dropped: string | null }>;
}

/**
 * Listens on a page, or on a whole context (a keepalive request may outlive the page that made
 * it). `isEvent` picks the tracker's requests: by default, POSTs to a path ending in /api/event.
 */
export function recordSentEvents(
  target: Page | BrowserContext,
  isEvent: (url: URL) => boolean = (url) => url.pathname.endsWith("/api/event"),
): SentEvent[] {
  const sent: SentEvent[] = [];
  target.on("request", (request) => {
    if (request.method() !== "POST" || !isEvent(new URL(request.url()))) return;
    sent.push({
      payload: JSON.parse(request.postData() ?? "null") as Payload,
      url: request.url(),
      answer: request.response().then(
        (response) => ({ status: response?.status() ?? 0, dropped: response?.headers()["x-pulse-dropped"] ?? null }),
        // The page closed before the answer came: not this helper's failure to report.
        () => ({ status: 0, dropped: null }),
      ),
    });
  });
  return sent;
}

/** Polls `condition` every 25 ms; throws naming `what` (worded when it fails) after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string | (() => string), timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    await Bun.sleep(25);
  }
}
