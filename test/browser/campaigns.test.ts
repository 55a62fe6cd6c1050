/**
 * Campaigns, outbound links, downloads and event properties in a real browser against a real
 * server: tagged pageviews and the script's link and download events fill their cards, and a
 * custom event's properties open under its row while the row itself still filters the view.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { byTestId, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const suite = useBrowserSuite();
const SITE = "campaigns.test";
const STEP_TIMEOUT = 10_000;

async function send(visitor: number, name: string, url: string, props?: Record<string, string>): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
    body: JSON.stringify({ n: name, u: url, d: SITE, ...(props ? { p: props } : {}) }),
  });
  expect(response.status).toBe(202);
}

const rowLabels = (page: Page, testid: string) => byTestId(page, testid).locator(".row-label").allTextContents();

describe("campaigns, links, downloads and event properties", () => {
  test("the cards show what arrived; an event's properties open beside its filter", async () => {
    const page = await suite.browser.newPage();
    const errors = recordErrors(page);
    try {
      await page.goto(suite.server.signedIn(`/?site=${SITE}`));
      await page.waitForFunction(() => document.querySelector('[data-testid="current-visitors"]')?.textContent === "0", undefined, { timeout: STEP_TIMEOUT });
      // A site with none of them shows none of their cards.
      expect(await byTestId(page, "top-utm-sources").count()).toBe(0);

      await send(1, "pageview", `https://${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=winter`);
      await send(2, "pageview", `https://${SITE}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
      await send(3, "pageview", `https://${SITE}/`);
      await send(1, "Outbound Link: Click", `https://${SITE}/`, { url: "https://partner.example/offer" });
      await send(2, "File Download", `https://${SITE}/`, { url: `https://${SITE}/files/catalogue.pdf` });
      await send(3, "Signup", `https://${SITE}/pricing`, { plan: "pro", trial: "yes" });
      await send(1, "Signup", `https://${SITE}/pricing`, { plan: "free" });

      await byTestId(page, "top-downloads").waitFor({ timeout: STEP_TIMEOUT });
      expect(await rowLabels(page, "top-utm-sources")).toEqual(["newsletter"]);
      expect(await rowLabels(page, "top-utm-mediums")).toEqual(["email"]);
      expect(await rowLabels(page, "top-utm-campaigns")).toEqual(["spring", "winter"]);
      expect(await rowLabels(page, "top-outbound-links")).toEqual(["https://partner.example/offer"]);
      expect(await rowLabels(page, "top-downloads")).toEqual([`https://${SITE}/files/catalogue.pdf`]);
      await expect(byTestId(page, "top-utm-sources").locator("h2").textContent()).resolves.toBe("UTM sources");

      // The properties of Signup: closed, then open as a table, by a button of their own.
      const toggle = page.getByRole("button", { name: "Properties of Signup" });
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      expect(await page.locator("table.props").count()).toBe(0);
      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      const table = page.locator(`#${await toggle.getAttribute("aria-controls")}`);
      const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent!.trim())));
      await screenshot(page, "campaigns-event-props");
      expect(rows).toEqual([
        ["plan", "free", "1 50%"],
        ["plan", "pro", "1 50%"],
        ["trial", "yes", "1 50%"],
      ]);
      // Keyboard: the toggle closes again with Enter.
      await toggle.focus();
      await page.keyboard.press("Enter");
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      expect(await table.count()).toBe(0);

      // The row itself still filters the view to the event.
      await byTestId(page, "top-events").locator('button[data-value="Signup"]').click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get("event") === "Signup", undefined, { timeout: STEP_TIMEOUT });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
