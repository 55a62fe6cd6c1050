/**
 * Filters in a real browser against a real server: a click on a row narrows every panel, the
 * filters live in the URL (a reload keeps them, Back undoes one), and chips remove them. The
 * screenshot of a filtered view goes to docs/screenshots/filtered-view.png.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { byTestId, docsScreenshot, recordErrors } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const suite = useBrowserSuite();
const SITE = "filters.test";
const STEP_TIMEOUT = 10_000;

async function sendPageview(path: string, visitor: number, tz: string): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
    body: JSON.stringify({ n: "pageview", u: `https://${SITE}${path}`, d: SITE, tz }),
  });
  expect(response.status).toBe(202);
}

const visitorsNow = (page: Page, expected: string) =>
  page.waitForFunction((value) => document.querySelector('[data-testid="current-visitors"]')?.textContent === value, expected, { timeout: STEP_TIMEOUT });
const feedPaths = (page: Page) => byTestId(page, "feed-item").locator(".feed-path").allTextContents();
const chips = (page: Page) => byTestId(page, "filter-chip").locator("span").allTextContents();

describe("filters", () => {
  test("a row narrows every panel; the URL keeps the filters; Back and the chips undo them", async () => {
    await sendPageview("/pricing", 1, "Europe/Paris");
    await sendPageview("/", 2, "America/New_York");
    await sendPageview("/pricing", 3, "America/New_York");
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = recordErrors(page);
    try {
      await page.goto(suite.server.signedIn(`/?site=${SITE}`));
      await visitorsNow(page, "3");

      await byTestId(page, "top-pages").locator('button[data-value="/pricing"]').click();
      await visitorsNow(page, "2");
      expect(new URL(page.url()).search).toBe("?site=filters.test&page=%2Fpricing");
      expect(await chips(page)).toEqual(["Page: /pricing"]);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed-item"]').length === 2, undefined, { timeout: STEP_TIMEOUT });
      expect(await feedPaths(page)).toEqual(["/pricing", "/pricing"]);
      // Every list is of the narrowed view: the countries of the two visitors on /pricing.
      expect(await byTestId(page, "top-countries").locator("button").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-value")).sort())).toEqual(["FR", "US"]);

      // Filters combine, from a list or from the map.
      await byTestId(page, "top-countries").locator('button[data-value="US"]').click();
      await visitorsNow(page, "1");
      expect(new URL(page.url()).search).toBe("?site=filters.test&page=%2Fpricing&country=US");

      // Live: a pageview outside the view does not show in it; one inside does.
      await sendPageview("/cart", 4, "America/New_York");
      await sendPageview("/pricing", 5, "America/New_York");
      await visitorsNow(page, "2");
      expect((await feedPaths(page)).includes("/cart")).toBe(false);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed-item"]').length === 2, undefined, { timeout: STEP_TIMEOUT });
      // The chips are at the top; the click on a country's row had scrolled down to it.
      await page.evaluate(() => window.scrollTo(0, 0));
      await docsScreenshot(page, "filtered-view");

      // A reload keeps the view.
      await page.reload();
      await visitorsNow(page, "2");
      expect(await chips(page)).toEqual(["Page: /pricing", "Country: 🇺🇸 United States"]);

      // Back undoes the last filter.
      await page.goBack();
      await visitorsNow(page, "3");
      expect(new URL(page.url()).search).toBe("?site=filters.test&page=%2Fpricing");

      // A chip's button removes its filter.
      await page.getByRole("button", { name: "Remove filter: page /pricing" }).click();
      await visitorsNow(page, "5");
      expect(new URL(page.url()).search).toBe("?site=filters.test");
      expect(await byTestId(page, "filters").count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
