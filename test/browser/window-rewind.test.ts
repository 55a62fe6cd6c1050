/**
 * The window switch and pause & rewind in a real browser against a real server: the window is
 * in the URL and the socket's, every figure says it; a paused page shows an earlier moment of
 * the view, asked for on its socket, and Go live shows the live figures again, with what came
 * meanwhile.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { byTestId, recordErrors, screenshot } from "../helpers/browser.ts";
import { useBrowserSuite } from "../helpers/browser-suite.ts";
import { UA } from "../helpers/user-agents.ts";

const suite = useBrowserSuite();
const STEP_TIMEOUT = 10_000;

async function sendPageview(site: string, path: string, visitor: number): Promise<void> {
  const response = await fetch(new URL("/api/event", suite.server.url), {
    method: "POST",
    headers: { "user-agent": `${UA.chromeWindows} visitor/${visitor}` },
    body: JSON.stringify({ n: "pageview", u: `https://${site}${path}`, d: site, tz: "Europe/Paris" }),
  });
  expect(response.status).toBe(202);
}

const text = async (page: Page, testid: string) => ((await byTestId(page, testid).first().textContent()) ?? "").trim();
const waitText = (page: Page, testid: string, expected: string | RegExp, timeout = STEP_TIMEOUT) =>
  page.waitForFunction(
    ([id, source, flags]) => {
      const shown = document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? "";
      return flags === null ? shown === source : new RegExp(source, flags).test(shown);
    },
    typeof expected === "string" ? ([testid, expected, null] as const) : ([testid, expected.source, expected.flags] as const),
    { timeout },
  );
const labels = async (page: Page) => [await text(page, "visitors-now-label"), await text(page, "visitors-label"), await text(page, "pageviews-label")];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The page opens the new view's socket as it draws the new labels; the browser tells of the socket a little later. */
async function lastSocket(sockets: string[], expected: string): Promise<void> {
  const end = Date.now() + STEP_TIMEOUT;
  while (sockets.at(-1) !== expected && Date.now() < end) await sleep(20);
  expect(sockets.at(-1)).toBe(expected);
}

describe("the window switch", () => {
  test("1, 5 or 30 minutes: in the URL and the socket's, said by every label, undone by Back", async () => {
    const site = "window.test";
    for (let visitor = 1; visitor <= 3; visitor++) await sendPageview(site, "/w", visitor);
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = recordErrors(page);
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(new URL(socket.url()).search));
    try {
      await page.goto(suite.server.signedIn(`/?site=${site}`));
      await waitText(page, "current-visitors", "3");
      expect(await labels(page)).toEqual(["Visitors now (last 5 min)", "Visitors, last 30 min", "Pageviews, last 30 min"]);
      expect(await byTestId(page, "top-sources").locator(".card-head .muted").textContent()).toBe("visitors, last 30 min");
      expect(await byTestId(page, "chart-minutes").locator("rect").count()).toBe(30);
      expect(await page.getByRole("button", { name: "Last 30 minutes" }).getAttribute("aria-pressed")).toBe("true");

      await page.getByRole("group", { name: "Time window" }).getByRole("button", { name: "Last 1 minute" }).click();
      expect(new URL(page.url()).search).toBe(`?site=${site}&window=1`);
      await waitText(page, "visitors-label", "Visitors, last 1 min");
      await lastSocket(sockets, `?site=${site}&window=1`);
      expect(await labels(page)).toEqual(["Visitors now (last 1 min)", "Visitors, last 1 min", "Pageviews, last 1 min"]);
      expect(await page.getByRole("button", { name: "Last 1 minute" }).getAttribute("aria-pressed")).toBe("true");
      expect(await page.getByRole("button", { name: "Last 30 minutes" }).getAttribute("aria-pressed")).toBe("false");
      expect(await byTestId(page, "top-sources").locator(".card-head .muted").textContent()).toBe("visitors, last 1 min");
      expect(await byTestId(page, "chart-minutes").locator("rect").count()).toBe(5);
      expect(await byTestId(page, "world-map").locator(".card-head .muted").textContent()).toBe("visitors, last 1 min");
      // The figures of the last minute: the three pageviews just sent, and the next one live.
      await waitText(page, "visitors-30m", "3");
      await waitText(page, "pageviews", "3");
      await sendPageview(site, "/w", 4);
      await waitText(page, "visitors-30m", "4");
      await waitText(page, "current-visitors", "4");
      await waitText(page, "pageviews", "4");

      // Back undoes the window as it undoes a filter.
      await page.goBack();
      expect(new URL(page.url()).search).toBe(`?site=${site}`);
      await waitText(page, "visitors-label", "Visitors, last 30 min");
      await lastSocket(sockets, `?site=${site}`);
      await waitText(page, "visitors-30m", "4");

      // A link with a window opens that window, filters and all.
      await page.goto(suite.server.signedIn(`/?site=${site}&window=5&page=%2Fw`));
      await waitText(page, "visitors-label", "Visitors, last 5 min");
      await lastSocket(sockets, `?site=${site}&window=5&page=%2Fw`);
      await waitText(page, "current-visitors", "4");
      await screenshot(page, "window-5-min");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);
});

describe("pause and rewind", () => {
  test("a paused page shows an earlier moment on request, live figures go on underneath, Go live shows them", async () => {
    const site = "rewind.test";
    const page = await suite.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = recordErrors(page);
    const commands: string[] = [];
    let closed = 0;
    page.on("websocket", (socket) => {
      socket.on("framesent", (frame) => commands.push(String(frame.payload)));
      socket.on("close", () => closed++);
    });
    try {
      await page.goto(suite.server.signedIn(`/?site=${site}`));
      await waitText(page, "connection-state", "live");
      for (let visitor = 1; visitor <= 3; visitor++) await sendPageview(site, "/before", visitor);
      await waitText(page, "current-visitors", "3");
      // A moment with the first three only, seconds away from the pageviews either side of it.
      await sleep(2500);
      const between = Date.now();
      await sleep(2500);
      for (let visitor = 4; visitor <= 5; visitor++) await sendPageview(site, "/after", visitor);
      await waitText(page, "current-visitors", "5");

      const pausedAt = Date.now();
      await page.getByRole("button", { name: "Pause" }).click();
      await waitText(page, "connection-state", "paused");
      expect(await byTestId(page, "freshness").innerText()).toMatch(/paused\s+at \d\d:\d\d:\d\d/);
      const scrubber = page.getByRole("slider", { name: "Moment to show" });
      expect(await scrubber.getAttribute("step")).toBe("1");
      expect(await scrubber.getAttribute("min")).toBe("-1800");
      // The paused moment is the live figures as they were.
      expect(await text(page, "current-visitors")).toBe("5");

      // Second by second with the arrow keys, past the moment between the two groups and back to it.
      await scrubber.focus();
      const seconds = Math.ceil((pausedAt - between) / 1000);
      const keys = [...Array(seconds + 20).fill("ArrowLeft"), ...Array(20).fill("ArrowRight")];
      for (const key of keys) await page.keyboard.press(key);
      expect(Number(await scrubber.inputValue())).toBe(-seconds);
      // Answers to positions passed on the way may come first: wait for the one chosen. The page
      // draws once per animation frame, so until it has drawn the last key's position, the bar
      // may still say not busy of the one before: the words for the position come with it.
      await page.waitForFunction(
        (before) => {
          const bar = document.querySelector('[data-testid="rewind"]');
          return bar?.getAttribute("aria-busy") === "false" && bar.querySelector('[role="slider"], input[type="range"]')?.getAttribute("aria-valuetext")?.endsWith(before) === true;
        },
        `, ${seconds} s earlier`,
        { timeout: STEP_TIMEOUT },
      );
      expect(await text(page, "current-visitors")).toBe("3");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed-item"]').length === 3, undefined, { timeout: STEP_TIMEOUT });
      expect(await byTestId(page, "feed-item").locator(".feed-path").allTextContents()).toEqual(["/before", "/before", "/before"]);
      expect(await text(page, "rewind-time")).toMatch(/^\d\d:\d\d:\d\d$/);
      // The charts end at the moment shown, not "now".
      expect(await byTestId(page, "chart-seconds").locator(".chart-x span").last().textContent()).toBe(await text(page, "rewind-time"));
      expect(await byTestId(page, "freshness").innerText()).toContain(`at ${await text(page, "rewind-time")}`);
      // The server started seconds ago: a 30-minute window at that moment reaches before its history.
      expect(await text(page, "rewind-partial")).toMatch(/^History before \d\d:\d\d:\d\d is no longer held/);
      await screenshot(page, "rewind-paused");
      // At phone width the scrubber and its words wrap: nothing scrolls sideways.
      await page.setViewportSize({ width: 375, height: 812 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
      await screenshot(page, "rewind-paused-phone");
      await page.setViewportSize({ width: 1280, height: 900 });

      // Live goes on underneath: a pageview now is not shown while paused...
      await sendPageview(site, "/during", 6);
      await sleep(1500);
      expect(await text(page, "current-visitors")).toBe("3");
      // ...and Go live shows it at once, without a new snapshot.
      await page.getByRole("button", { name: "Go live" }).click();
      await waitText(page, "current-visitors", "6", 1000);
      await waitText(page, "connection-state", "live");
      expect(await page.getByRole("slider", { name: "Moment to show" }).count()).toBe(0);

      // The scrub went by rewind commands on the view's one socket: a few, not one per key press (one in flight, and a
      // bucket of 3 refilled at 0.8 a second), and never so many that the server closed it.
      const rewinds = commands.map((command) => JSON.parse(command) as { type: string; at: number }).filter((command) => command.type === "rewind");
      expect(rewinds.length).toBeGreaterThan(1);
      expect(rewinds.length).toBeLessThan(keys.length / 4);
      expect(rewinds.every((command) => Number.isInteger(command.at / 1000))).toBe(true);
      expect(closed).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 40_000);
});
