/**
 * Launches Debian's chromium through playwright-core for browser tests. The project never
 * downloads a browser: it uses /usr/bin/chromium (apt package `chromium`), or PULSE_CHROMIUM.
 */
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";

// Tests may read the environment; the server's code may not (see STYLE.md).
export const CHROMIUM_PATH = process.env.PULSE_CHROMIUM ?? "/usr/bin/chromium";

export const ARTIFACTS_DIR = new URL("../../test-artifacts/", import.meta.url).pathname;
/** The README's screenshots: written by the tests that show each thing, so they show today's page. */
export const SCREENSHOTS_DIR = new URL("../../docs/screenshots/", import.meta.url).pathname;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Playwright's Chromium reports navigator.webdriver, which trackers ignore: tests that act as a person add this. */
export const HUMAN_ARGS = ["--disable-blink-features=AutomationControlled"];

export interface LaunchOptions {
  /** Flags after the defaults, e.g. HUMAN_ARGS. */
  extraArgs?: readonly string[];
  /** Keep the back-forward cache, which playwright turns off by default so that goBack() always reaches the network. */
  backForwardCache?: boolean;
}

export async function launchBrowser({ extraArgs = [], backForwardCache = false }: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    ...(backForwardCache ? { ignoreDefaultArgs: ["--disable-back-forward-cache"] } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      ...extraArgs,
    ],
    timeout: 20_000,
  });
}

/** Saves a full-page screenshot into test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = `${ARTIFACTS_DIR}${name}.png`;
  // The whole page as if on screen: the feed's rows out of view are skipped (content-visibility) and
  // would come out blank. A constructed sheet, as the page's policy refuses inline styles.
  const drawAll = () => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync("* { content-visibility: visible !important; }");
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  };
  await page.evaluate(drawAll);
  await page.screenshot({ path, fullPage: true });
  await page.evaluate(() => {
    document.adoptedStyleSheets = document.adoptedStyleSheets.slice(0, -1);
  });
  return path;
}

/**
 * Saves what a page shows in its viewport (open it 1280 wide), or one element of it, as
 * docs/screenshots/<name>.png: small files, not the whole page.
 */
export async function docsScreenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await target.screenshot({ path: `${SCREENSHOTS_DIR}${name}.png` });
}

/** The page's uncaught errors and console errors, recorded as they happen, for a test to assert there were none. */
export function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
