/** The page's downloads in a real browser against a real server: the view's tables, and the raw events of the window. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { byTestId, recordErrors } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const suite = useBrowserSuite();
const SITE = "downloads.test";

async function sendPageview(path: string, visitor: number, site = SITE, tz = "Europe/Paris"): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
    body: JSON.stringify({ n: "pageview", u: `https://${site}${path}`, d: site, tz }),
  });
  expect(response.status).toBe(202);
}

describe("downloads from the page", () => {
  test("the tables hold what the page shows; the raw events hold every event of the window", async () => {
    for (const [i, path] of ["/", "/pricing", "/pricing"].entries()) await sendPageview(path, i);
    const page = await suite.browser.newPage({ acceptDownloads: true });
    const errors = recordErrors(page);
    try {
      await page.goto(suite.server.signedIn(`/?site=${SITE}`));
      await page.waitForFunction(() => document.querySelector('[data-testid="current-visitors"]')?.textContent === "3", undefined, { timeout: 10_000 });

      const [tables] = await Promise.all([page.waitForEvent("download"), byTestId(page, "download-tables").click()]);
      expect(tables.suggestedFilename()).toMatch(/^pulse-downloads\.test-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
      const rows = readFileSync((await tables.path())!, "utf8").split("\r\n");
      expect(rows).toContain('Summary,Current visitors,3,"visitors, last 5 minutes"');
      expect(rows).toContain("Pages,/pricing,2,visitors now");
      expect(rows).toContain("Pages,/,1,visitors now");

      const [events] = await Promise.all([page.waitForEvent("download"), byTestId(page, "download-events").click()]);
      const lines = readFileSync((await events.path())!, "utf8").trim().split("\r\n");
      expect(lines[0]).toStartWith("time,site,name,url,path");
      expect(lines.slice(1).map((line) => line.split(",")[4]).sort()).toEqual(["/", "/pricing", "/pricing"]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("a filtered view's downloads hold only its traffic, and its tables say which filters", async () => {
    const site = "filtered-downloads.test";
    await sendPageview("/pricing", 1, site, "Europe/Paris");
    await sendPageview("/pricing", 2, site, "America/New_York");
    await sendPageview("/", 3, site, "Europe/Paris");
    await sendPageview("/cart", 4, site, "Europe/Paris");
    const page = await suite.browser.newPage({ acceptDownloads: true });
    const errors = recordErrors(page);
    try {
      await page.goto(suite.server.signedIn(`/?site=${site}&page=/pricing&country=FR`));
      await page.waitForFunction(() => document.querySelector('[data-testid="current-visitors"]')?.textContent === "1", undefined, { timeout: 10_000 });

      const [events] = await Promise.all([page.waitForEvent("download"), byTestId(page, "download-events").click()]);
      const rows = readFileSync((await events.path())!, "utf8").trim().split("\r\n").slice(1).map((line) => line.split(","));
      expect(rows.map((row) => [row[4], row[10]])).toEqual([["/pricing", "FR"]]);

      const [tables] = await Promise.all([page.waitForEvent("download"), byTestId(page, "download-tables").click()]);
      const lines = readFileSync((await tables.path())!, "utf8").split("\r\n");
      expect(lines.slice(1, 3)).toEqual(["Filter,Page,/pricing,only traffic with this value", "Filter,Country,FR,only traffic with this value"]);
      expect(lines).toContain("Pages,/pricing,1,visitors now");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});
