/**
 * The world map in a real browser against a real server: pageviews whose time zone names a
 * country shade that country, say its count, and can be chosen with the keyboard or the pointer.
 * The map's screenshot, several countries shaded, goes to docs/screenshots/map.png.
 */
import { expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { ARTIFACTS_DIR, byTestId, docsScreenshot, recordErrors } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";

const SITE = "map.test";
const STEP_TIMEOUT = 10_000;
const userAgent = (n: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.${n}.0 Safari/537.36`;

const suite = useBrowserSuite();

/** A pageview from its own visitor (a User-Agent of its own), in `timeZone` when given. */
/** A point of the page inside the shape of the SVG path `selector` (its box may lie mostly outside it). */
async function pointInside(page: Page, selector: string): Promise<{ x: number; y: number }> {
  return page.evaluate((selector) => {
    const path = document.querySelector(selector) as SVGPathElement;
    const box = path.getBBox();
    const matrix = path.getScreenCTM()!;
    const inside: DOMPoint[] = [];
    for (let y = box.y; y < box.y + box.height; y++) {
      for (let x = box.x; x < box.x + box.width; x++) {
        if (path.isPointInFill(new DOMPoint(x, y))) inside.push(new DOMPoint(x, y));
      }
    }
    // The middle one, row by row: well inside the largest part rather than on an edge.
    const point = inside[Math.floor(inside.length / 2)]?.matrixTransform(matrix);
    if (point) return { x: point.x, y: point.y };
    throw new Error(`nothing inside ${selector}`);
  }, selector);
}

async function sendPageview(visitor: number, timeZone?: string, site = SITE): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent(visitor) },
    body: JSON.stringify({ name: "pageview", url: `https://${site}/`, domain: site, ...(timeZone ? { tz: timeZone } : {}) }),
  });
  expect(response.status).toBe(202);
}

/** Opens `site`'s dashboard, waits until it is live, takes the steps, and checks that the page logged no error. */
async function onLiveDashboard(site: string, viewport: { width: number; height: number }, steps: (page: Page) => Promise<void>): Promise<void> {
  const page = await suite.browser.newPage({ viewport });
  const errors = recordErrors(page);
  try {
    await page.goto(suite.server.signedIn(`/?site=${site}`));
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === "live", undefined, {
      timeout: STEP_TIMEOUT,
    });
    await steps(page);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

async function screenshotMap(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await byTestId(page, "world-map").screenshot({ path: `${ARTIFACTS_DIR}${name}.png` });
}

test("countries with visitors are shaded, named with their count, and choosing one narrows the view to it", async () => {
  await onLiveDashboard(SITE, { width: 1280, height: 900 }, async (page) => {
    const map = byTestId(page, "world-map");
    const france = map.locator('path[data-country="FR"]');
    expect(await france.getAttribute("class")).toBe("map-country"); // no visitors yet
    expect(await france.getAttribute("tabindex")).toBeNull();

    await sendPageview(1, "Europe/Paris");
    await sendPageview(2, "Europe/Paris");
    await sendPageview(3, "America/New_York");
    await sendPageview(4, "Asia/Singapore"); // too small to draw at this scale: listed only
    await sendPageview(5); // no time zone: Unknown

    await page.waitForFunction(() => document.querySelector('path[data-country="FR"]')?.getAttribute("class")?.includes("shade-"), undefined, {
      timeout: STEP_TIMEOUT,
    });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="map-table"] tbody tr').length === 4, undefined, {
      timeout: STEP_TIMEOUT,
    });
    expect(await france.getAttribute("class")).toBe("map-country shade-5");
    expect(await france.locator("title").textContent()).toBe("France: 2 visitors");
    expect(await map.locator('path[data-country="US"]').getAttribute("class")).toBe("map-country shade-3");
    expect(await map.locator('path[data-country="US"] title').textContent()).toBe("United States: 1 visitor");
    expect(await map.locator('path[data-country="DE"]').getAttribute("class")).toBe("map-country");
    expect(await map.locator("svg").getAttribute("aria-label")).toBe("Visitors by country: 3 countries, most in France (2)");
    expect(await byTestId(page, "map-legend").locator("li").allTextContents()).toEqual(["1", "2"]);
    const rows = await byTestId(page, "map-table")
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent?.replace(/\s+/g, " ").trim(), tr.querySelector("td")?.textContent]));
    expect(rows[0]).toEqual(["France", "2"]);
    expect(rows.slice(1).sort()).toEqual([["Singapore (not on the map)", "1"], ["United States", "1"], ["Unknown", "1"]]);

    // The keyboard reaches the shaded countries; focus shows the count and draws an outline on top.
    await france.focus();
    expect(await byTestId(page, "map-readout").textContent()).toBe("France: 2 visitors");
    expect(await map.locator("path.map-active").getAttribute("d")).toBe(await france.getAttribute("d"));
    // The pointer over another country shows its count; when it leaves, the focused one's again.
    const us = await pointInside(page, 'path[data-country="US"]');
    await page.mouse.move(us.x, us.y);
    expect(await byTestId(page, "map-readout").textContent()).toBe("United States: 1 visitor");
    await page.mouse.move(1, 1);
    expect(await byTestId(page, "map-readout").textContent()).toBe("France: 2 visitors");
    await screenshotMap(page, "map");

    // Choosing a country narrows the view to it: by Enter, by Space, by a click.
    const search = () => new URL(page.url()).search;
    /** Waits until exactly `codes` are shaded (the view is narrowed to them, or widened again). */
    const shadedAre = (codes: string[]) =>
      page.waitForFunction(
        (expected) => [...document.querySelectorAll('[data-testid="world-map"] path[class*="shade-"]')].map((path) => path.getAttribute("data-country")).sort().join() === expected,
        codes.sort().join(),
        { timeout: STEP_TIMEOUT },
      );
    await page.keyboard.press("Enter");
    await shadedAre(["FR"]);
    expect(search()).toBe(`?site=${SITE}&country=FR`);
    await page.goBack();
    await shadedAre(["FR", "US"]);
    await map.locator('path[data-country="US"]').focus();
    await page.keyboard.press("Space");
    await shadedAre(["US"]);
    expect(search()).toBe(`?site=${SITE}&country=US`);
    await page.goBack();
    await shadedAre(["FR", "US"]);
    // France's box is centred on the Atlantic (French Guiana): click where the shape is.
    const fr = await pointInside(page, 'path[data-country="FR"]');
    await page.mouse.click(fr.x, fr.y);
    await shadedAre(["FR"]);
    expect(search()).toBe(`?site=${SITE}&country=FR`);
  });
}, 30_000);

test("at phone width the list goes under the map, and the map fits the screen", async () => {
  const site = "phone.map.test";
  await onLiveDashboard(site, { width: 390, height: 844 }, async (page) => {
    await sendPageview(6, "Asia/Tokyo", site);
    await page.waitForFunction(() => document.querySelector('path[data-country="JP"]')?.getAttribute("class") === "map-country shade-5", undefined, {
      timeout: STEP_TIMEOUT,
    });
    const map = byTestId(page, "world-map");
    const card = (await map.boundingBox())!;
    const svg = (await map.locator("svg").boundingBox())!;
    const table = (await byTestId(page, "map-table").boundingBox())!;
    expect(card.x).toBeGreaterThanOrEqual(0);
    expect(card.x + card.width).toBeLessThanOrEqual(390);
    expect(svg.width).toBeGreaterThan(300);
    expect(table.y).toBeGreaterThan(svg.y + svg.height);
    await screenshotMap(page, "map-phone");
  });
}, 30_000);

test("visitors from many countries shade each of them, darker where there are more (the README's screenshot)", async () => {
  const site = "world.map.test";
  const zones = ["Europe/Paris", "Europe/Paris", "Europe/Paris", "America/New_York", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Sao_Paulo", "Australia/Sydney", "Asia/Kolkata"];
  await onLiveDashboard(site, { width: 1280, height: 900 }, async (page) => {
    for (const [i, zone] of zones.entries()) await sendPageview(100 + i, zone, site);
    const shaded = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="world-map"] path[class*="shade-"]')].map((path) => path.getAttribute("data-country")).sort().join());
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="world-map"] path[class*="shade-"]').length === 7, undefined, { timeout: STEP_TIMEOUT });
    expect(await shaded()).toBe("AU,BR,DE,FR,IN,JP,US");
    expect(await byTestId(page, "world-map").locator('path[data-country="FR"]').getAttribute("class")).toBe("map-country shade-5");
    await docsScreenshot(byTestId(page, "world-map"), "map");
  });
}, 30_000);
