/**
 * Fixture pages for tracker tests: sites on real-looking origins (served by playwright's routing,
 * so nothing leaves the machine) that embed the Pulse server's /js/script.js, and a record of every
 * event the page POSTed and how it was answered.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { HUMAN_ARGS } from "./browser.ts";
import { useBrowserSuite } from "./browser-suite.ts";
import { startServer, type ServerProcess } from "./server-process.ts";
import { recordSentEvents, waitUntil, type SentEvent } from "./sent-events.ts";
import { freePort } from "./free-port.ts";

export const SITE_ORIGIN = "https://shop.test";
export const EXTERNAL_ORIGIN = "https://wine.example";
/** Not a headless User-Agent, which the server would drop as a bot. */
const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

export type Sent = SentEvent;

export interface TrackerPage {
  context: BrowserContext;
  page: Page;
  sent: Sent[];
  /** Uncaught errors of the host page: the tracker must never cause one. */
  errors: string[];
  /** Names of the sent events, in order. */
  names(): string[];
  waitForSent(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Waits until everything the page did so far has been observed: calls `pulse("Fence")`, whose
   * callback runs once its request is over (or at once if ignored), then lets request events drain.
   */
  fence(): Promise<void>;
  close(): Promise<void>;
}

export interface PageOptions {
  /** HTML by path on SITE_ORIGIN, or by absolute URL on any other origin (e.g. http://localhost:8999/). */
  pages: Record<string, string>;
  context?: BrowserContextOptions;
  /** Runs in every page before its scripts, e.g. to set localStorage. */
  initScript?: string;
  /** Which requests are the tracker's: default, any POST to a path ending in /api/event. */
  isEvent?: (url: URL) => boolean;
}

/** The tracker's tag, as a site would write it; `script` is the variant's file name. */
export function trackerTag(
  serverUrl: string,
  attributes: Record<string, string> = { "data-domain": "shop.test" },
  script = "script.js",
): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => (value === "" ? ` ${name}` : ` ${name}="${value}"`))
    .join("");
  return `<script defer${attrs} src="${serverUrl}js/${script}"></script>`;
}

export function html(body: string, head = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}</body></html>`;
}

export async function openTrackerPage(browser: Browser, options: PageOptions): Promise<TrackerPage> {
  const context = await browser.newContext({
    userAgent: CHROME_UA,
    timezoneId: "Europe/Paris",
    // Real sites are on HTTPS, and may reach a Pulse server on this machine (the test server) only with this permission.
    permissions: ["local-network-access"],
    ...options.context,
  });
  const pages = new Map(Object.entries(options.pages).map(([key, body]) => [new URL(key, SITE_ORIGIN).href, body]));
  const origins = new Set([SITE_ORIGIN, ...[...pages.keys()].map((url) => new URL(url).origin)]);
  // Everything but the Pulse server is served here: files as downloads, other hosts as a stub page.
  await context.route(
    (url) => origins.has(url.origin) || url.origin === EXTERNAL_ORIGIN || url.hostname.endsWith(".example"),
    (route) => {
      const url = new URL(route.request().url());
      url.search = "";
      const body = pages.get(url.href);
      if (body !== undefined) return route.fulfill({ contentType: "text/html", body });
      if (/\.\w+$/.test(url.pathname)) return route.fulfill({ contentType: "application/octet-stream", body: "file" });
      if (origins.has(url.origin)) return route.fulfill({ status: 404, contentType: "text/html", body: html("not found") });
      return route.fulfill({ contentType: "text/html", body: html(`<h1>${url.host}</h1>`) });
    },
  );
  if (options.initScript) await context.addInitScript(options.initScript);

  const sent = recordSentEvents(context, options.isEvent);
  const errors: string[] = [];
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));

  const waitForSent = (count: number, timeoutMs = 10_000) =>
    waitUntil(() => sent.length >= count, () => `${count} events; saw ${JSON.stringify(sent.map((s) => s.payload))}`, timeoutMs);
  return {
    context,
    page,
    sent,
    errors,
    names: () => sent.map((s) => s.payload.n),
    waitForSent,
    async fence() {
      await page.waitForFunction(() => typeof (window as { pulse?: unknown }).pulse === "function", undefined, { timeout: 10_000 });
      await page.evaluate(
        () => new Promise<void>((resolve) => (window as unknown as { pulse: Pulse }).pulse("Fence", { callback: resolve })),
      );
      await Bun.sleep(150);
    },
    close: () => context.close(),
  };
}

type Pulse = (name: string, options?: { props?: Record<string, unknown>; callback?: () => void }) => void;

/** The sent events other than the fences. */
export function withoutFences(sent: Sent[]): Sent[] {
  return sent.filter((s) => s.payload.n !== "Fence");
}

/** A port nothing listens on: bound, then released. */
export const closedPort = freePort;

export interface TrackerSuite {
  readonly server: ServerProcess;
  readonly browser: Browser;
  /** The tracker's tag pointing at this suite's server: script.js, or the variant `script` names. */
  tag(attributes?: Record<string, string>, script?: string): string;
  /** Opens the fixture pages, runs `body`, checks the page saw no error, and always closes. */
  withPage(options: PageOptions, body: (t: TrackerPage) => Promise<void>, on?: Browser): Promise<void>;
}

/** A Pulse server and a browser for the test file that calls this at its top level. */
export function useTrackerSuite(): TrackerSuite {
  const base = useBrowserSuite({ launch: { extraArgs: HUMAN_ARGS } });
  const suite: TrackerSuite = {
    get server() {
      return base.server;
    },
    get browser() {
      return base.browser;
    },
    tag: (attributes, script) => trackerTag(suite.server.url, attributes, script),
    async withPage(options, body, on = suite.browser) {
      const t = await openTrackerPage(on, options);
      try {
        await body(t);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  };
  return suite;
}

/** Every event the server answered, accepted and counted (not dropped as a bot). */
export async function expectAccepted(t: TrackerPage): Promise<void> {
  for (const sent of t.sent) expect(await sent.answer).toEqual({ status: 202, dropped: null });
}

/** "name url" of each sent event but the fences, in order. */
export const sentList = (t: TrackerPage): string[] => withoutFences(t.sent).map((s) => `${s.payload.n} ${s.payload.u}`);

export const run = (t: TrackerPage, script: string): Promise<unknown> => t.page.evaluate(script);
