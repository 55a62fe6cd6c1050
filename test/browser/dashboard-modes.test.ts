/**
 * The dashboard's modes in a real browser against a real server: freshness, the wall display of
 * one site (`?tv&site=`) and of every site (`?tv`), a phone's width, the dark scheme, and use by
 * keyboard alone. The screenshots of the site view, TV mode and the wall go to docs/screenshots/.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { SITE_LIST_MINUTES } from "../../src/core/wire/protocol.ts";
import { byTestId, docsScreenshot, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { startServer } from "../helpers/server-process.ts";

const STEP_TIMEOUT = 10_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

/** A distinct browser per visitor: every request comes from 127.0.0.1, so the User-Agent tells visitors apart. */
const userAgent = (visitor: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.${visitor}.0 Safari/537.36`;

const suite = useBrowserSuite();

/** Visitors come from a few countries (the browser's time zone tells), so the map in the screenshots has shades. */
const TIME_ZONES = ["Europe/Paris", "America/New_York", "Europe/Paris", "Asia/Tokyo", "Europe/Berlin"];

async function sendPageview(site: string, path: string, visitor = 1): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent(visitor) },
    body: JSON.stringify({ name: "pageview", url: `https://${site}${path}`, domain: site, tz: TIME_ZONES[visitor % TIME_ZONES.length] }),
  });
  expect(response.status).toBe(202);
  expect(response.headers.get("x-pulse-dropped")).toBeNull();
}

async function openPage(viewport = DESKTOP, colorScheme: "light" | "dark" = "light"): Promise<{ page: Page; errors: string[] }> {
  const page = await suite.browser.newPage({ viewport, colorScheme });
  return { page, errors: recordErrors(page) };
}

async function waitForText(page: Page, testid: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    ([id, source]) => new RegExp(source!).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ""),
    [testid, pattern.source],
    { timeout: STEP_TIMEOUT },
  );
  return (await byTestId(page, testid).textContent()) ?? "";
}

const waitLive = (page: Page) => waitForText(page, "connection-state", /^live$/);

/** The screen as a visitor sees it (not the full page), small enough to keep in the repository. */
describe("freshness", () => {
  test("the last event's age and the update interval are in view, and the age moves on its own", async () => {
    const site = "fresh.test";
    const { page, errors } = await openPage();
    try {
      await page.goto(suite.server.signedIn(`/?site=${site}`));
      await waitLive(page);
      expect(await waitForText(page, "last-event", /./)).toBe("no events yet");

      for (const [i, path] of ["/", "/wines", "/cart", "/checkout", "/paid"].entries()) {
        await sendPageview(site, path, i + 1);
        await byTestId(page, "feed").getByText(path, { exact: true }).waitFor({ timeout: STEP_TIMEOUT });
      }
      await waitForText(page, "last-event", /^last event (just now|\ds ago)$/);
      // Frames came a tick or a few apart: the server's tick is 250 ms.
      expect(await waitForText(page, "update-interval", /^updates every [\d.]+ s$/)).toMatch(/^updates every (0\.\d+|1(\.\d+)?) s$/);
      // It ages with no frame arriving.
      await waitForText(page, "last-event", /^last event [2-9]s ago$/);
      expect(await byTestId(page, "stale-banner").count()).toBe(0);
      await docsScreenshot(page, "site-view");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);

  test("while disconnected the figures are marked stale in words, with the time they are from", async () => {
    const server = await startServer();
    const { page } = await openPage();
    try {
      await page.goto(server.signedIn("/?site=gone.test"));
      await waitLive(page);
      const response = await fetch(new URL("/api/event", server.url), {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": userAgent(1) },
        body: JSON.stringify({ name: "pageview", url: "https://gone.test/", domain: "gone.test" }),
      });
      expect(response.status).toBe(202);
      await byTestId(page, "feed-item").first().waitFor({ timeout: STEP_TIMEOUT });
      expect(await byTestId(page, "stale-banner").count()).toBe(0);

      await server.stop();
      const banner = await waitForText(page, "stale-banner", /Disconnected/);
      expect(banner).toMatch(/Disconnected — figures as of \d\d:\d\d:\d\d$/);
      expect(await byTestId(page, "connection-state").textContent()).toBe("reconnecting");
      expect(await page.locator("main").getAttribute("class")).toContain("stale");
      await screenshot(page, "stale");
    } finally {
      await page.close();
      await server.stop();
    }
  }, 40_000);
});

/** Waits until the wall has a tile for `site` showing `visitors`. */
async function waitForWallTile(page: Page, site: string, visitors: string): Promise<void> {
  await page.waitForFunction(
    ([name, figure]) =>
      [...document.querySelectorAll('[data-testid="wall-tile"]')].some(
        (tile) => tile.querySelector("h2")?.textContent === name && tile.querySelector('[data-testid="wall-visitors"]')?.textContent === figure,
      ),
    [site, visitors],
    { timeout: STEP_TIMEOUT },
  );
}

/** Links, buttons, inputs and anything else in the tab order, in document order. */
const CONTROLS = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

describe("TV mode", () => {
  test("?tv&site= shows the figures in large type, with no controls, and hides a resting cursor", async () => {
    const site = "tv.test";
    const { page, errors } = await openPage();
    try {
      await page.goto(suite.server.signedIn(`/?tv&site=${site}`));
      await waitLive(page);
      for (let visitor = 1; visitor <= 3; visitor++) await sendPageview(site, `/room/${visitor}`, visitor);
      await waitForText(page, "current-visitors", /^3$/);
      await byTestId(page, "feed").getByText("/room/3").waitFor({ timeout: STEP_TIMEOUT });

      const figureSize = await byTestId(page, "current-visitors").evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
      expect(figureSize).toBeGreaterThanOrEqual(96);
      expect(await byTestId(page, "chart-seconds").locator("rect").count()).toBe(60);
      expect(await byTestId(page, "chart-minutes").count()).toBe(0);
      expect(await page.locator(CONTROLS).count()).toBe(0);
      expect(await byTestId(page, "last-event").textContent()).toMatch(/^last event/);

      const cursor = () => page.evaluate(() => getComputedStyle(document.body).cursor);
      await page.mouse.move(200, 200);
      expect(await cursor()).not.toBe("none");
      await page.waitForFunction(() => getComputedStyle(document.body).cursor === "none", undefined, { timeout: STEP_TIMEOUT });
      await page.mouse.move(300, 300);
      expect(await cursor()).not.toBe("none");
      // Asked for, whatever this headless browser answers.
      expect(await page.evaluate(() => document.documentElement.dataset.wakeLock)).toMatch(/^(held|refused|unsupported)$/);

      await page.mouse.move(0, 0);
      await docsScreenshot(page, "tv-site");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);

  test("?tv alone is the wall: every site's visitors now with a sparkline, busiest first, updating live", async () => {
    const { page, errors } = await openPage();
    try {
      await page.goto(suite.server.signedIn("/?tv"));
      await waitLive(page);
      const planned: Array<[string, number]> = [["wall-busy.test", 6], ["wall-mid.test", 4], ["wall-quiet.test", 2]];
      for (const [site, visitors] of planned) {
        for (let visitor = 1; visitor <= visitors; visitor++) await sendPageview(site, "/", 100 + visitor);
      }
      await waitForWallTile(page, "wall-quiet.test", "2");
      const tiles = await byTestId(page, "wall-tile").evaluateAll((elements) =>
        elements.map((tile) => ({
          site: tile.querySelector("h2")?.textContent ?? "",
          visitors: Number(tile.querySelector('[data-testid="wall-visitors"]')?.textContent?.replace(/,/g, "")),
          bars: tile.querySelectorAll('[data-testid="sparkline"] rect').length,
          pageviews: [...tile.querySelectorAll('[data-testid="sparkline"] rect title')].map((title) => Number(/: (\d+) pageviews/.exec(title.textContent ?? "")?.[1])),
        })),
      );
      const ours = tiles.filter((tile) => tile.site.startsWith("wall-"));
      expect(ours.map((tile) => [tile.site, tile.visitors])).toEqual(planned);
      // Busiest first, across every site the server has.
      const counts = tiles.map((tile) => tile.visitors);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      for (const tile of ours) {
        expect(tile.bars).toBe(SITE_LIST_MINUTES);
        expect(tile.pageviews.reduce((total, count) => total + count, 0)).toBe(tile.visitors);
      }
      expect(await page.locator(CONTROLS).count()).toBe(0);

      // Live: a new pageview moves its site's figure without a reload.
      await sendPageview("wall-quiet.test", "/", 999);
      await waitForWallTile(page, "wall-quiet.test", "3");
      await page.mouse.move(0, 0);
      await docsScreenshot(page, "wall");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);

  test("the site list links to the wall", async () => {
    const { page, errors } = await openPage();
    try {
      await page.goto(suite.server.signedIn("/"));
      const link = byTestId(page, "wall-link");
      await link.waitFor({ timeout: STEP_TIMEOUT });
      await link.click();
      await byTestId(page, "wall").waitFor({ timeout: STEP_TIMEOUT });
      expect(new URL(page.url()).search).toBe("?tv");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

describe("phone, dark, keyboard", () => {
  const LONG_PATH = `/${"a-very-long-path-segment/".repeat(8)}`;

  test("at 375 px wide nothing scrolls sideways: the site view, the site list and the wall", async () => {
    // A long name with nowhere to break, in the title, the site list and the wall.
    const site = "aratherlongsubdomainforaphonescreen.shopexample.test";
    await sendPageview(site, LONG_PATH, 1);
    const { page, errors } = await openPage(PHONE);
    try {
      for (const [name, path] of Object.entries({ "site-view": `/?site=${site}`, "site-list": "/", wall: "/?tv", tv: `/?tv&site=${site}` })) {
        await page.goto(suite.server.signedIn(path));
        await waitLive(page);
        await page.locator('[data-testid="feed-item"], [data-testid="site-link"], [data-testid="wall-tile"]').first().waitFor({ timeout: STEP_TIMEOUT });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect({ path, width }).toEqual({ path, width: 375 });
        expect({ path, cut: await textCutOff(page) }).toEqual({ path, cut: [] });
        await screenshot(page, `phone-${name}`);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);

  test("the dark scheme is followed: a dark background, light text", async () => {
    const { page, errors } = await openPage();
    try {
      await page.goto(suite.server.signedIn("/?site=dark.test"));
      await waitLive(page);
      const colours = () =>
        page.evaluate(() => {
          const style = getComputedStyle(document.body);
          const card = document.querySelector(".card");
          return { background: style.backgroundColor, text: style.color, card: card ? getComputedStyle(card).backgroundColor : "" };
        });
      const light = await colours();
      await page.emulateMedia({ colorScheme: "dark" });
      const dark = await colours();
      expect(dark.background).not.toBe(light.background);
      expect(dark.text).not.toBe(light.text);
      expect(dark.card).not.toBe(light.card);
      expect(luminance(dark.background)).toBeLessThan(0.1);
      expect(luminance(dark.text)).toBeGreaterThan(0.7);
      await screenshot(page, "dark-site-view");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("by keyboard alone, Tab reaches every link and control in order, each with a visible focus", async () => {
    const site = "keys.test";
    await sendPageview(site, "/keyboard", 1);
    const { page, errors } = await openPage();
    try {
      for (const path of [`/?site=${site}`, "/"]) {
        await page.goto(suite.server.signedIn(path));
        await waitLive(page);
        await page.locator('[data-testid="feed-item"], [data-testid="site-link"]').first().waitFor({ timeout: STEP_TIMEOUT });
        const expected = await page.locator(CONTROLS).evaluateAll((elements) =>
          elements.map((element, i) => {
            element.setAttribute("data-tab-order", String(i));
            return i;
          }),
        );
        expect(expected.length).toBeGreaterThan(path === "/" ? 3 : 2);
        const reached: Array<{ order: string | null; outline: string; name: string }> = [];
        for (let i = 0; i < expected.length; i++) {
          await page.keyboard.press("Tab");
          reached.push(
            await page.evaluate(() => {
              const element = document.activeElement as HTMLElement;
              const style = getComputedStyle(element);
              const name = element.getAttribute("aria-label") ?? element.textContent ?? "";
              // A country on the map shows its focus as an outline drawn over its neighbours (.map-active), the shape of the country.
              const mapRing = element.classList.contains("map-country") ? element.closest("svg")?.querySelector(".map-active") : null;
              const ring = mapRing ? `solid ${getComputedStyle(mapRing).strokeWidth}` : `${style.outlineStyle} ${style.outlineWidth}`;
              return { order: element.getAttribute("data-tab-order"), outline: ring, name: name.trim() };
            }),
          );
        }
        expect(reached.map((stop) => Number(stop.order))).toEqual(expected);
        for (const stop of reached) {
          // A ring of the page's own, thicker than the browser's default hairline (a country's outline is drawn 2.5 map units wide).
          expect(stop.outline).toMatch(/^solid ([2-9]|\d\d)(\.\d+)?px$/);
          expect(stop.name.length).toBeGreaterThan(0);
        }
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);
});

/**
 * Text that runs out of the box that clips it (or out of the window), but for text that ends in
 * an ellipsis on purpose: what a reader cannot see.
 */
function textCutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const cut: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (!node.textContent?.trim()) continue;
      let clip = { left: 0, right: innerWidth };
      let ellipsis = false;
      for (let element = node.parentElement; element !== null; element = element.parentElement) {
        const style = getComputedStyle(element);
        if (style.textOverflow === "ellipsis") ellipsis = true;
        if (style.overflowX !== "visible") {
          clip = element.getBoundingClientRect();
          break;
        }
      }
      const range = document.createRange();
      range.selectNodeContents(node);
      const text = range.getBoundingClientRect();
      // Ends in an ellipsis on purpose, or hidden for screen readers alone.
      if (ellipsis || text.width === 0 || clip.right - clip.left <= 1) continue;
      if (text.left < clip.left - 1 || text.right > clip.right + 1) cut.push(node.textContent.trim());
    }
    return cut;
  });
}

/** Relative luminance (0 black .. 1 white) of a CSS rgb() colour. */
function luminance(colour: string): number {
  const [r, g, b] = (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map((channel) => {
    const c = Number(channel) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
