/** A Pulse server and a Chromium for the browser-test file that calls useBrowserSuite at its top level. */
import { afterAll, beforeAll } from "bun:test";
import type { Browser } from "playwright-core";
import { chromiumAvailable, launchBrowser, type LaunchOptions } from "./browser.ts";
import { startServer, type ServerProcess } from "./server-process.ts";

export interface BrowserSuite {
  readonly server: ServerProcess;
  readonly browser: Browser;
}

export function useBrowserSuite(options: { serverArgs?: string[]; launch?: LaunchOptions } = {}): BrowserSuite {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error("browser tests need Debian's chromium: apt-get install chromium (.ci/run does it)");
    server = await startServer({ args: options.serverArgs ?? [] });
    browser = await launchBrowser(options.launch);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 30_000);
  return {
    get server() {
      if (!server) throw new Error("the server is not started: use the suite inside tests");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("the browser is not launched: use the suite inside tests");
      return browser;
    },
  };
}
