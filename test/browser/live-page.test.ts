/**
 * The built live widget (/js/live.js, run `bun build.ts --assets-only` first) beside the tracker on a
 * single-page app: it counts the page the tracker counts (a hash route is a page), follows the app's
 * navigations, and the tab counts once.
 */
import { describe, expect, test } from "bun:test";
import type { Page, WebSocket } from "playwright-core";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { HUMAN_ARGS } from "../helpers/browser.ts";
import { html, SITE_ORIGIN, trackerTag, type TrackerPage } from "../helpers/tracker-page.ts";
import { recordSockets, settled, withWidgetPages } from "../helpers/widget-pages.ts";

const TIMEOUT = 30_000;
/** A short interval: every expectation below is met within one. */
const suite = useBrowserSuite({ serverArgs: ["--live-site", "shop.test", "--live-interval", "0.3", "--tick-ms", "50"], launch: { extraArgs: HUMAN_ARGS } });

const PAGE_COUNTER = `<p id="page" data-pulse-live></p>`;
const SITE_COUNTER = `<p id="site" data-pulse-live="site"></p>`;

/**
 * A Backbone-style app routed by hash (`#wines`, `#about`), with an in-page anchor (`#reviews`):
 * the tracker's tag (without it, none) and the widget's, each with these attributes, and these placeholders.
 */
function cellar({ tracker = {}, live = "", counters = PAGE_COUNTER + SITE_COUNTER }: { tracker?: Record<string, string> | null; live?: string; counters?: string } = {}) {
  const server = suite.server.url;
  return html(
    `<h1>Cellar</h1>
    <nav><a id="to-wines" href="#wines">Wines</a> <a id="to-about" href="#about">About</a> <a id="to-reviews" href="#reviews">Reviews</a></nav>
    ${counters}<section id="reviews">Reviews</section>
    ${tracker ? trackerTag(server, { "data-domain": "shop.test", ...tracker }) : ""}<script async src="${server}js/live.js" data-domain="shop.test"${live}></script>`,
  );
}

const pagesOf = (sockets: WebSocket[]) => sockets.map((socket) => new URL(socket.url()).searchParams.get("page"));

/** The page's and the site's counts as tab `page` shows them. */
const counts = async (page: Page) => [await page.locator("#page").textContent(), await page.locator("#site").textContent()];

async function tabsPresent(): Promise<number> {
  const response = await fetch(new URL("/metrics", suite.server.url), { headers: { authorization: `Bearer ${suite.server.token}` } });
  return Number(/^pulse_tabs_present (\d+)$/m.exec(await response.text())?.[1]);
}

const withCellar = <T>(body: (t: TrackerPage) => Promise<T>, page = cellar()): Promise<T> => withWidgetPages(suite.browser, { "/cellar": page }, body);

describe("the live widget on a single-page app", () => {
  test("counts the hash route the tracker counts, follows the app's navigations, and the tab counts once", async () => {
    await withCellar(async (t) => {
      const sockets = recordSockets(t.page);
      await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
      expect(await settled(() => counts(t.page), ["1", "1"])).toEqual(["1", "1"]);
      expect(pagesOf(sockets)).toEqual(["/cellar#wines"]);

      const other = await t.context.newPage();
      await other.goto(`${SITE_ORIGIN}/cellar#wines`);
      expect(await settled(() => counts(other), ["2", "2"])).toEqual(["2", "2"]);
      expect(await settled(() => counts(t.page), ["2", "2"])).toEqual(["2", "2"]);
      const about = [await t.context.newPage(), await t.context.newPage()];
      for (const page of about) await page.goto(`${SITE_ORIGIN}/cellar#about`);
      for (const page of [t.page, other, ...about]) expect(await settled(() => counts(page), ["2", "4"])).toEqual(["2", "4"]);

      // To #about: the first tab counts #about's three tabs, and #wines drops to one in the other.
      await t.page.click("#to-about");
      for (const page of [t.page, ...about]) expect(await settled(() => counts(page), ["3", "4"])).toEqual(["3", "4"]);
      expect(await settled(() => counts(other), ["1", "4"])).toEqual(["1", "4"]);
      expect(pagesOf(sockets)).toEqual(["/cellar#wines", "/cellar#about"]);
      // Each tab is counted once: its tracker's pageviews and its widget's socket hold the same tab, on the same page.
      expect(await settled(tabsPresent, 4)).toBe(4);
      for (const page of about) await page.close();

      // A jump to an in-page anchor is no new page: the socket stays.
      await t.page.click("#to-reviews");
      await t.page.evaluate(() => history.replaceState(history.state, "", location.href));
      await Bun.sleep(400);
      expect(pagesOf(sockets)).toEqual(["/cellar#wines", "/cellar#about"]);
      expect(sockets.filter((socket) => !socket.isClosed())).toHaveLength(1);

      // pushState to a path, then Back twice: each a new page, each counted at once. Back at the
      // anchor, from another path, the page is the path, as the tracker counts it.
      await t.page.evaluate(() => history.pushState(null, "", "/cellar/cart"));
      expect(await settled(() => pagesOf(sockets).at(-1), "/cellar/cart")).toBe("/cellar/cart");
      expect(await settled(() => counts(other), ["1", "2"])).toEqual(["1", "2"]);
      await t.page.goBack();
      expect(await settled(() => pagesOf(sockets).at(-1), "/cellar")).toBe("/cellar");
      await t.page.goBack();
      expect(await settled(() => pagesOf(sockets).at(-1), "/cellar#about")).toBe("/cellar#about");
      expect(await settled(() => counts(t.page), ["1", "2"])).toEqual(["1", "2"]);
      await t.page.click("#to-wines");
      expect(await settled(() => counts(other), ["2", "2"])).toEqual(["2", "2"]);
      expect(await settled(() => counts(t.page), ["2", "2"])).toEqual(["2", "2"]);
      expect(await settled(tabsPresent, 2)).toBe(2);
      expect(sockets.filter((socket) => !socket.isClosed())).toHaveLength(1);
      await other.close();
    });
  }, TIMEOUT);

  test("a tracker slower to arrive than the widget: the widget waits for it, and the tab counts once", async () => {
    await withCellar(async (t) => {
      // The widget's file comes at once and could run as soon as the page is parsed; the tracker's takes a while.
      await t.page.route(`${suite.server.url}js/script.js`, async (route) => {
        await Bun.sleep(700);
        await route.continue();
      });
      await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
      await t.page.waitForFunction(() => (window as unknown as { pulse?: { tab?: string } }).pulse?.tab !== undefined);
      // Long enough for the tracker's pageview to count, were it another tab than the widget's.
      await Bun.sleep(500);
      expect(await settled(() => counts(t.page), ["1", "1"])).toEqual(["1", "1"]);
      expect(await settled(tabsPresent, 1)).toBe(1);
    });
  }, TIMEOUT);

  test("data-hash on the tracker's tag is the widget's rule too: with off, every hash is the path's page", async () => {
    await withCellar(
      async (t) => {
        const sockets = recordSockets(t.page);
        await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
        expect(await settled(() => counts(t.page), ["1", "1"])).toEqual(["1", "1"]);
        await t.page.click("#to-about");
        await Bun.sleep(400);
        expect(pagesOf(sockets)).toEqual(["/cellar"]);
      },
      cellar({ tracker: { "data-hash": "off" } }),
    );
  }, TIMEOUT);

  test("without the tracker, the widget's own data-hash: with all, an anchor is a page too", async () => {
    await withCellar(
      async (t) => {
        const sockets = recordSockets(t.page);
        await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
        expect(await settled(() => pagesOf(sockets), ["/cellar#wines"])).toEqual(["/cellar#wines"]);
        await t.page.click("#to-reviews");
        expect(await settled(() => pagesOf(sockets), ["/cellar#wines", "/cellar#reviews"])).toEqual(["/cellar#wines", "/cellar#reviews"]);
        expect(await settled(() => counts(t.page), ["1", "1"])).toEqual(["1", "1"]);
      },
      cellar({ tracker: null, live: ' data-hash="all"' }),
    );
  }, TIMEOUT);

  test("a widget with only the site's count follows the page too, so that its tab is where the tracker says", async () => {
    await withCellar(
      async (t) => {
        const sockets = recordSockets(t.page);
        await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
        expect(await settled(() => t.page.locator("#site").textContent(), "1")).toBe("1");
        await t.page.click("#to-about");
        expect(await settled(() => pagesOf(sockets), ["/cellar#wines", "/cellar#about"])).toEqual(["/cellar#wines", "/cellar#about"]);
        expect(new URL(sockets[1]!.url()).searchParams.get("scope")).toBe("site");
        expect(await settled(() => t.page.locator("#site").textContent(), "1")).toBe("1");
        // The old socket's release and the new one's hold may reach presence a tick apart.
        expect(await settled(tabsPresent, 1)).toBe(1);
      },
      cellar({ counters: SITE_COUNTER }),
    );
  }, TIMEOUT);
});
