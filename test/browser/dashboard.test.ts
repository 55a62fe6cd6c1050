/**
 * The dashboard in a real browser against a real server: pageviews POSTed to the ingest API
 * show up live in the site view and in the site list. Screenshots go to test-artifacts/.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { byTestId, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";

const SITE = "shop.test";
// Two visitors: "pages" counts each visitor on the page they are on now, so one visitor's two
// pageviews would leave only the second page listed.
const CHROME_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const STEP_TIMEOUT = 10_000;

const suite = useBrowserSuite();

async function sendPageview(path: string, userAgent: string, referrer = "", site = SITE): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify({ name: "pageview", url: `https://${site}${path}`, domain: site, referrer }),
  });
  expect(response.status).toBe(202);
  expect(response.headers.get("x-pulse-dropped")).toBeNull();
}

async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await suite.browser.newPage({ viewport });
  return { page, errors: recordErrors(page) };
}

describe("dashboard in chromium", () => {

  test("pageviews appear live in the site view", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 900 });
    try {
      await page.goto(suite.server.signedIn(`/?site=${SITE}`));
      await page.waitForFunction(
        () => document.querySelector('[data-testid="connection-state"]')?.textContent === "live",
        undefined,
        { timeout: STEP_TIMEOUT },
      );

      await sendPageview("/products/teapot", CHROME_WINDOWS, "https://www.google.com/search?q=teapot");
      await sendPageview("/checkout", CHROME_MAC);

      const feed = byTestId(page, "feed");
      await feed.getByText("/products/teapot").waitFor({ timeout: STEP_TIMEOUT });
      await feed.getByText("/checkout").waitFor({ timeout: STEP_TIMEOUT });
      const items = await byTestId(page, "feed-item").allTextContents();
      expect(items.some((text) => text.includes("/products/teapot"))).toBe(true);
      expect(items.some((text) => text.includes("/checkout"))).toBe(true);
      expect(items.some((text) => text.includes("Chrome"))).toBe(true);

      const pages = byTestId(page, "top-pages");
      await pages.getByText("/products/teapot").waitFor({ timeout: STEP_TIMEOUT });
      await pages.getByText("/checkout").waitFor({ timeout: STEP_TIMEOUT });

      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="current-visitors"]')?.textContent) >= 1,
        undefined,
        { timeout: STEP_TIMEOUT },
      );
      expect(Number(await byTestId(page, "current-visitors").textContent())).toBeGreaterThanOrEqual(1);
      expect(await byTestId(page, "top-browsers").textContent()).toContain("Chrome");
      expect(await byTestId(page, "chart-minutes").locator("rect").count()).toBe(30);
      expect(await byTestId(page, "chart-seconds").locator("rect").count()).toBe(60);

      await screenshot(page, "site-view");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("signing in with the form posts the token: no address ever carries it", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 720 });
    const addresses: string[] = [];
    page.on("request", (request) => addresses.push(request.url()));
    try {
      await page.goto(new URL(`/?site=${SITE}`, suite.server.url).href);
      const posted = page.waitForRequest((request) => request.method() === "POST" && request.url().endsWith("/sign-in"), { timeout: STEP_TIMEOUT });
      await page.fill('input[name="token"]', suite.server.token);
      await page.click('button[type="submit"]');
      const post = await posted;
      await page.waitForFunction(
        () => document.querySelector('[data-testid="connection-state"]')?.textContent === "live",
        undefined,
        { timeout: STEP_TIMEOUT },
      );
      expect(new URL(page.url()).search).toBe(`?site=${SITE}`);
      expect(post.postData()).toContain(`token=${encodeURIComponent(suite.server.token)}`);
      // The browser names the page the form came from: the check against other sites' forms can work.
      expect((await post.allHeaders()).origin).toBe(new URL(suite.server.url).origin);
      expect(addresses.length).toBeGreaterThan(2);
      expect(addresses.filter((address) => address.includes(suite.server.token))).toEqual([]);
      // The sign-in page is a 401, and has no icon of its own (the browser asks for /favicon.ico).
      expect(errors.filter((error) => !/status of (401|404)\b/.test(error))).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("the site list shows the site and links to it", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 720 });
    try {
      await page.goto(suite.server.signedIn("/"));
      const link = byTestId(page, "site-list").locator('[data-testid="site-link"]', { hasText: SITE });
      await link.waitFor({ timeout: STEP_TIMEOUT });
      expect(await link.getAttribute("href")).toBe(`/?site=${SITE}`);
      expect(await byTestId(page, "connection-state").textContent()).toBe("live");
      await screenshot(page, "site-list");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("a site spelled with capitals is the same site: its figures load and follow", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 720 });
    try {
      await page.goto(suite.server.signedIn("/?site=Capital.Test"));
      await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === "live", undefined, {
        timeout: STEP_TIMEOUT,
      });
      await sendPageview("/upper", CHROME_MAC, "", "capital.test");
      await byTestId(page, "feed").getByText("/upper").waitFor({ timeout: STEP_TIMEOUT });
      await page.waitForFunction(() => document.querySelector('[data-testid="current-visitors"]')?.textContent === "1", undefined, {
        timeout: STEP_TIMEOUT,
      });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("a site that is not a host name is said to be wrong, and no socket is tried", async () => {
    const { page, errors } = await openPage({ width: 1280, height: 720 });
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    try {
      await page.goto(suite.server.signedIn(`/?site=${encodeURIComponent("my shop!")}`));
      await byTestId(page, "invalid-site").waitFor({ timeout: STEP_TIMEOUT });
      expect(await byTestId(page, "invalid-site").textContent()).toContain("my shop! is not a host name");
      await Bun.sleep(1500);
      expect(await byTestId(page, "connection-state").textContent()).toBe("closed");
      expect(sockets).toEqual([]);
      await screenshot(page, "invalid-site");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});
