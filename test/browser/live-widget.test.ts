/**
 * The built live widget (/js/live.js from the Pulse server: run `bun build.ts --assets-only` first)
 * in Chromium, on fixture pages at https://shop.test served by playwright's routing.
 */
import { describe, expect, test } from "bun:test";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { HUMAN_ARGS } from "../helpers/browser.ts";
import { html, SITE_ORIGIN, type TrackerPage } from "../helpers/tracker-page.ts";
import { recordSockets, settled, withWidgetPages } from "../helpers/widget-pages.ts";

const TIMEOUT = 30_000;
const suite = useBrowserSuite({ serverArgs: ["--live-site", "shop.test", "--live-interval", "0.3", "--tick-ms", "50"], launch: { extraArgs: HUMAN_ARGS } });

/** The widget's tag, as a site would write it (the server's address is filled in when the pages open). */
const liveTag = () => `<script async src="__SERVER__js/live.js" data-domain="shop.test"></script>`;
const COUNTER = `<p id="page" data-pulse-live data-pulse-template="{n} people are reading this" data-pulse-template-one="{n} person is reading this"></p>`;
const SITE_COUNTER = `<p id="site" data-pulse-live="site" data-pulse-template="{n} shoppers online"></p>`;
const PAGES = {
  "/wines": html(`<h1>Wines</h1>${COUNTER}${SITE_COUNTER}${liveTag()}`),
  "/about": html(`<h1>About</h1>${SITE_COUNTER}${liveTag()}`),
  "/plain": html(`<h1>No counter</h1>${liveTag()}`),
  "https://wine.example/": html(`<h1>Elsewhere</h1><p data-pulse-live></p>${liveTag()}`),
};

const textOf = (t: TrackerPage, id: string) => t.page.locator(`#${id}`).textContent();

const withPages = <T>(body: (t: TrackerPage) => Promise<T>): Promise<T> =>
  withWidgetPages(suite.browser, Object.fromEntries(Object.entries(PAGES).map(([key, value]) => [key, value.replace("__SERVER__", suite.server.url)])), body);

describe("the live widget", () => {
  test("renders the count with its template, and updates when another tab opens or leaves the page", async () => {
    await withPages(async (t) => {
      const sockets = recordSockets(t.page);
      await t.page.goto(`${SITE_ORIGIN}/wines`);
      expect(await settled(() => textOf(t, "page"), "1 person is reading this")).toBe("1 person is reading this");
      expect(await textOf(t, "site")).toBe("1 shoppers online");
      // One socket for both placeholders.
      expect(sockets.map((socket) => new URL(socket.url()).searchParams.get("scope"))).toEqual(["both"]);
      expect(new URL(sockets[0]!.url()).pathname).toBe("/live");

      const other = await t.context.newPage();
      await other.goto(`${SITE_ORIGIN}/wines`);
      expect(await settled(() => textOf(t, "page"), "2 people are reading this")).toBe("2 people are reading this");
      const about = await t.context.newPage();
      await about.goto(`${SITE_ORIGIN}/about`);
      expect(await settled(() => textOf(t, "site"), "3 shoppers online")).toBe("3 shoppers online");
      expect(await textOf(t, "page")).toBe("2 people are reading this");

      await other.close();
      await about.close();
      expect(await settled(() => textOf(t, "page"), "1 person is reading this")).toBe("1 person is reading this");
      expect(await settled(() => textOf(t, "site"), "1 shoppers online")).toBe("1 shoppers online");
    });
  }, TIMEOUT);

  test("a page on another origin is refused: nothing shown, nothing thrown", async () => {
    await withPages(async (t) => {
      const sockets = recordSockets(t.page);
      await t.page.goto("https://wine.example/");
      expect(await settled(() => sockets.length > 0, true)).toBe(true);
      const closed = await Promise.race([
        new Promise<string>((resolve) => sockets[0]!.on("close", () => resolve("closed"))),
        new Promise<string>((resolve) => sockets[0]!.on("socketerror", () => resolve("closed"))),
        Bun.sleep(5000).then(() => "still open"),
      ]);
      expect(sockets[0]!.isClosed() ? "closed" : closed).toBe("closed");
      expect(await t.page.locator("[data-pulse-live]").textContent()).toBe("");
    });
  }, TIMEOUT);

  test("a page without a placeholder opens no socket", async () => {
    await withPages(async (t) => {
      const sockets = recordSockets(t.page);
      const loaded = t.page.waitForResponse((response) => response.url().endsWith("/js/live.js"));
      await t.page.goto(`${SITE_ORIGIN}/plain`);
      await loaded;
      await t.page.waitForLoadState("load");
      await Bun.sleep(500);
      expect(sockets.map((socket) => socket.url())).toEqual([]);
      // The same script with a placeholder does open one (so the wait above was long enough to see it).
      await t.page.goto(`${SITE_ORIGIN}/about`);
      expect(await settled(() => sockets.length, 1)).toBe(1);
    });
  }, TIMEOUT);
});
