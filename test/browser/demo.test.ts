/**
 * The demo shop in a real browser against a real server, as a newcomer uses it: the dashboard of
 * demo.local in one tab, the demo in another. Every kind of tracked interaction (hash route,
 * pushState route, back button, custom event, outbound link, download) must be sent exactly once,
 * in order, and show up live on the dashboard. Screenshots go to test-artifacts/demo-*.png.
 */
import { describe, expect, test } from "bun:test";
import type { BrowserContext, Page } from "playwright-core";
import { WINES } from "../../ui/demo/catalogue.ts";
import { byTestId, HUMAN_ARGS, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { recordSentEvents, waitUntil, type SentEvent } from "../helpers/sent-events.ts";

const SITE = "demo.local";
const STEP_TIMEOUT = 10_000;
const WIKIPEDIA = "https://en.wikipedia.org/wiki/Bordeaux_wine";
const WINE_PATH = "/demo/wines/chateau-lumiere-2016";
const REGION_PATH = "/demo#/regions/bordeaux";
// Headless Chromium says "HeadlessChrome" in its User-Agent, which Pulse drops as a bot.
const DESKTOP_CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

// The tracker ignores automated browsers, as Plausible's does: hide that this one is.
const suite = useBrowserSuite({ serverArgs: ["--tick-ms", "100"], launch: { extraArgs: HUMAN_ARGS } });

async function openTab(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  return { page, errors: recordErrors(page) };
}

/** A browser context where nothing leaves the machine: Wikipedia is a local stub, other hosts fail. */
async function offlineContext(): Promise<BrowserContext> {
  const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_CHROME });
  await context.route((url) => url.hostname !== "127.0.0.1", (route) => route.abort());
  // Added last, so it is tried first.
  await context.route("https://en.wikipedia.org/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Bordeaux wine</title><p>Wikipedia stub</p>" }),
  );
  return context;
}

/** What an event says, in a form a failed assertion prints readably. */
function describeEvent({ payload }: SentEvent): { n: string; path: string; p?: Record<string, unknown> } {
  const url = new URL(payload.u);
  const path = url.pathname + url.hash;
  return payload.p ? { n: payload.n, path, p: payload.p } : { n: payload.n, path };
}

describe("demo shop in chromium", () => {

  test("every click on the demo is sent once and arrives live on the dashboard", async () => {
    const context = await offlineContext();
    const origin = suite.server.url.replace(/\/$/, "");
    try {
      const { page: dashboard, errors: dashboardErrors } = await openTab(context);
      // The `?token=` link signs the browser in; the demo tab then shares its session cookie.
      await dashboard.goto(suite.server.signedIn(`/?site=${SITE}`));
      await dashboard.waitForFunction(
        () => document.querySelector('[data-testid="connection-state"]')?.textContent === "live",
        undefined,
        { timeout: STEP_TIMEOUT },
      );

      const { page: demo, errors: demoErrors } = await openTab(context);
      const sent = recordSentEvents(demo);
      const view = (name: string) =>
        demo.locator(`[data-testid="demo-view"][data-view="${name}"]`).waitFor({ timeout: STEP_TIMEOUT });
      const sentCount = (count: number) => waitUntil(() => sent.length >= count, `${count} events sent`, STEP_TIMEOUT);

      await demo.goto(`${origin}/demo`);
      await view("home");
      await sentCount(1);
      expect(await byTestId(demo, "dashboard-link").getAttribute("href")).toBe(`/?site=${SITE}`);
      await screenshot(demo, "demo-home");

      // An in-page anchor is not a route: no pageview.
      await byTestId(demo, "cellar-anchor").click();
      await demo.waitForURL(`${origin}/demo#cellar`, { timeout: STEP_TIMEOUT });

      await byTestId(demo, "region-link").filter({ hasText: "Bordeaux" }).click();
      await view("region");
      await sentCount(2);

      await byTestId(demo, "wine-link").filter({ hasText: "Château Lumière" }).click();
      await view("wine");
      await sentCount(3);

      await byTestId(demo, "add-to-cart").click();
      await sentCount(4);
      expect(await byTestId(demo, "cart-count").textContent()).toBe("1");
      await screenshot(demo, "demo-wine");

      // Chrome fires both popstate and hashchange here; the tracker must count one pageview.
      await demo.goBack({ timeout: STEP_TIMEOUT });
      await view("region");
      await sentCount(5);
      await screenshot(demo, "demo-region");

      const [wikipedia] = await Promise.all([
        context.waitForEvent("page", { timeout: STEP_TIMEOUT }),
        byTestId(demo, "outbound-link").click(),
      ]);
      await wikipedia.waitForLoadState("domcontentloaded", { timeout: STEP_TIMEOUT });
      expect(wikipedia.url()).toBe(WIKIPEDIA);
      await wikipedia.close();
      await sentCount(6);

      const [download] = await Promise.all([
        demo.waitForEvent("download", { timeout: STEP_TIMEOUT }),
        byTestId(demo, "download-link").click(),
      ]);
      expect(download.suggestedFilename()).toBe("wine-list.csv");
      await sentCount(7);

      await Bun.sleep(300); // anything sent twice would arrive now
      expect(sent.map(describeEvent)).toEqual([
        { n: "pageview", path: "/demo" },
        { n: "pageview", path: REGION_PATH },
        { n: "pageview", path: WINE_PATH },
        { n: "Add to cart", path: WINE_PATH, p: { wine: "chateau-lumiere-2016" } },
        { n: "pageview", path: REGION_PATH },
        { n: "Outbound Link: Click", path: REGION_PATH, p: { url: WIKIPEDIA } },
        { n: "File Download", path: REGION_PATH, p: { url: `${origin}/demo/wine-list.csv` } },
      ]);
      for (const { payload } of sent) {
        expect(payload.d).toBe(SITE);
        expect(payload.h).toBe(new URL(payload.u).hash.startsWith("#/") ? 1 : undefined);
      }
      // Answered 202 and counted, not dropped (as a bot, say).
      expect(await Promise.all(sent.map((event) => event.answer))).toEqual(sent.map(() => ({ status: 202, dropped: null })));

      const feedShows = (texts: string[]) =>
        dashboard.waitForFunction(
          (wanted) => {
            const items = [...document.querySelectorAll('[data-testid="feed-item"]')].map((item) => item.textContent ?? "");
            return wanted.every((text) => items.some((item) => item.includes(text)));
          },
          texts,
          { timeout: STEP_TIMEOUT },
        );
      await feedShows(["/demo", REGION_PATH, WINE_PATH, "Add to cart", "Outbound Link: Click", "File Download"]);
      const events = byTestId(dashboard, "top-events");
      await events.getByText("Add to cart").waitFor({ timeout: STEP_TIMEOUT });
      await events.getByText("Outbound Link: Click").waitFor({ timeout: STEP_TIMEOUT });
      await screenshot(dashboard, "demo-dashboard");

      expect(demoErrors).toEqual([]);
      expect(dashboardErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 45_000);

  test("a deep link to a wine renders it and counts its path", async () => {
    const context = await offlineContext();
    try {
      const { page, errors } = await openTab(context);
      const sent = recordSentEvents(page);
      await page.goto(new URL("/demo/wines/steilhang-kabinett-2020", suite.server.url).href);
      await page.locator('[data-testid="demo-view"][data-view="wine"]').waitFor({ timeout: STEP_TIMEOUT });
      expect(await page.locator("h1").textContent()).toContain("Steilhang Kabinett");
      await waitUntil(() => sent.length >= 1, "the pageview", STEP_TIMEOUT);
      expect(sent.map(describeEvent)).toEqual([{ n: "pageview", path: "/demo/wines/steilhang-kabinett-2020" }]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 15_000);

  test("the downloadable wine list matches the catalogue", async () => {
    const response = await fetch(new URL("/demo/wine-list.csv", suite.server.url));
    expect(response.status).toBe(200);
    const rows = (await response.text()).trim().split("\n").slice(1);
    expect(rows.map((row) => row.split(",")[0])).toEqual(WINES.map((wine) => wine.name));
    for (const [i, wine] of WINES.entries()) expect(rows[i]).toContain(`,${wine.vintage},${wine.style},${wine.price}`);
  });
});
