/** Fixture pages with the live widget in a real browser: the sockets a page opens, and counts that settle. */
import { expect } from "bun:test";
import type { Browser, Page, WebSocket } from "playwright-core";
import { openTrackerPage, type TrackerPage } from "./tracker-page.ts";

/** Every WebSocket the page opens, as playwright sees it. */
export function recordSockets(page: Page): WebSocket[] {
  const sockets: WebSocket[] = [];
  page.on("websocket", (socket) => sockets.push(socket));
  return sockets;
}

/** What `read` gives once it gives `expected` (deeply equal), or after 5 s whatever it gives then. */
export async function settled<T>(read: () => T | Promise<T>, expected: T): Promise<T> {
  const end = Date.now() + 5000;
  let value = await read();
  while (!Bun.deepEquals(value, expected) && Date.now() < end) {
    await Bun.sleep(25);
    value = await read();
  }
  return value;
}

/** Opens the fixture pages (HTML by path or URL), runs `body`, checks the page saw no error, and always closes. */
export async function withWidgetPages<T>(browser: Browser, pages: Record<string, string>, body: (t: TrackerPage) => Promise<T>): Promise<T> {
  const t = await openTrackerPage(browser, { pages });
  try {
    const result = await body(t);
    expect(t.errors).toEqual([]);
    return result;
  } finally {
    await t.close();
  }
}
