/**
 * "On the site now" in a real browser against a real server: a tab's pageview shows it present on
 * the site and its page; its "gone" takes it away again.
 */
import { expect, test } from "bun:test";
import { byTestId, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const SITE = "presence.test";
const TAB = "Tab0presence1";
const STEP_TIMEOUT = 10_000;

const suite = useBrowserSuite();

async function post(path: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(new URL(path, suite.server.url), {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": UA.chromeWindows },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  expect(response.headers.get("x-pulse-dropped")).toBeNull();
}

test("'On the site now' shows a tab while it is open, per page too, and 0 after its 'gone'", async () => {
  const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = recordErrors(page);
  try {
    await page.goto(suite.server.signedIn(`/?site=${SITE}`));
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === "live", undefined, { timeout: STEP_TIMEOUT });

    await post("/api/event", { n: "pageview", u: `https://${SITE}/wines`, d: SITE, t: TAB });
    const present = byTestId(page, "present-now");
    await page.waitForFunction(() => document.querySelector('[data-testid="present-now"]')?.textContent === "1", undefined, { timeout: STEP_TIMEOUT });
    expect(await present.getAttribute("aria-labelledby")).toBe("present-now-label");
    const row = byTestId(page, "top-pages").locator(".row-now");
    expect(await row.textContent()).toBe("1");
    expect(await row.getAttribute("aria-label")).toBe("1 tab open on this page now");
    await screenshot(page, "presence");

    await post("/api/presence", { d: SITE, u: `https://${SITE}/wines`, t: TAB, s: "gone" });
    await page.waitForFunction(() => document.querySelector('[data-testid="present-now"]')?.textContent === "0", undefined, { timeout: STEP_TIMEOUT });
    expect(await row.textContent()).toBe("0");
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}, 30_000);
