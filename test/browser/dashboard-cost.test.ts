/**
 * What a tick costs the page to draw (bench/dashboard-cpu.ts measures it): arrivals in the feed
 * and moving list bars start no animation or transition per item, each of which the browser
 * would draw frame after frame, and a chart bar's tooltip changes as one text node.
 */
import { describe, expect, test } from "bun:test";
import { byTestId, recordErrors } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const SITE = "cost.test";
const STEP_TIMEOUT = 10_000;

const suite = useBrowserSuite();

async function sendPageview(path: string, visitor: number): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
    body: JSON.stringify({ name: "pageview", url: `https://${SITE}${path}`, domain: SITE }),
  });
  expect(response.status).toBe(202);
}

describe("the cost of a tick", () => {
  test("new feed items and changed list rows start no animation or transition; a bar's tooltip is one text node", async () => {
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = recordErrors(page);
    try {
      await page.goto(suite.server.signedIn(`/?site=${SITE}`));
      await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === "live", undefined, { timeout: STEP_TIMEOUT });
      await page.evaluate(() => {
        const started: string[] = [];
        (window as unknown as { started: string[] }).started = started;
        for (const type of ["animationstart", "transitionstart", "transitionrun"]) {
          document.addEventListener(type, (event) => {
            const target = event.target as Element;
            if (target.closest(".feed, .top-list")) started.push(`${type} ${target.className}`);
          });
        }
      });
      // Several ticks: the first fills the lists, the next ones change their rows and bars.
      for (const [round, path] of ["/a", "/b", "/a"].entries()) {
        await sendPageview(path, round);
        await page.waitForFunction((count) => document.querySelectorAll('[data-testid="feed-item"]').length === count, round + 1, { timeout: STEP_TIMEOUT });
      }
      await byTestId(page, "top-pages").getByText("/b").waitFor({ timeout: STEP_TIMEOUT });
      await page.waitForTimeout(500); // a transition starts after the style change that causes it
      expect(await page.evaluate(() => (window as unknown as { started: string[] }).started)).toEqual([]);
      // A bar's tooltip is one text node: when the charts slide, each second, a bar changes one node.
      const titleNodes = await page.evaluate(() => [...document.querySelectorAll(".chart rect title")].map((title) => title.childNodes.length));
      expect(titleNodes.length).toBe(90);
      expect(new Set(titleNodes)).toEqual(new Set([1]));
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});
