/**
 * The tracker's presence signals in Chromium (run `bun build.ts --assets-only` first). The pages and
 * the endpoint are served by one "collector" on 127.0.0.1 that records every POST: a request sent
 * as a tab closes must reach a server, and Chromium drops one that crosses from a site to this
 * machine once its page is gone (the local network access check needs the page). So the pages are
 * local, and the tag has data-allow-localhost.
 *
 * Headless Chromium keeps every page visible, even one behind another (`bringToFront` changes
 * nothing): hiding a page is played by redefining `document.visibilityState` and firing
 * `visibilitychange`, as the browser does. Closing, leaving and the back-forward cache are real.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { HUMAN_ARGS, launchBrowser } from "../helpers/browser.ts";
import { html, run, useTrackerSuite, type TrackerPage } from "../helpers/tracker-page.ts";
import { waitUntil } from "../helpers/sent-events.ts";

const TIMEOUT = 30_000;
const suite = useTrackerSuite();

interface Posted {
  path: string;
  contentType: string | null;
  body: Record<string, unknown>;
}

let collector: Server<undefined>;
let origin: string;
const posted: Posted[] = [];
/** HTML by path; every page embeds the tracker, pointed at the collector. */
const pages = new Map<string, string>();

beforeAll(() => {
  collector = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === "GET") {
        const page = pages.get(url.pathname);
        return new Response(page ?? "not found", { status: page ? 200 : 404, headers: { "content-type": "text/html" } });
      }
      posted.push({ path: url.pathname, contentType: request.headers.get("content-type"), body: JSON.parse(await request.text()) });
      return new Response(null, { status: 202 });
    },
  });
  origin = `http://127.0.0.1:${collector.port}`;
});
afterAll(() => collector?.stop(true));

function page(path: string, body = "", attributes: Record<string, string> = {}): string {
  const tag = suite.tag({ "data-domain": "shop.test", "data-api": `${origin}/api/event`, "data-allow-localhost": "", ...attributes });
  pages.set(path, html(body + tag));
  return `${origin}${path}`;
}

/** What the collector got, in order: "pageview /path" for events, "here /path" or "gone /path" for signals. */
function received(): string[] {
  return posted.map(({ body }) => `${body.n ?? body.s} ${new URL(body.u as string).pathname}`);
}
const signals = () => posted.filter((p) => p.path === "/api/presence");

async function expectReceived(expected: string[]): Promise<void> {
  await waitUntil(() => posted.length >= expected.length, () => `${expected.length} requests; got ${JSON.stringify(received())}`);
  await Bun.sleep(300); // and nothing more
  expect(received()).toEqual(expected);
}

const setVisibility = (t: TrackerPage, state: "hidden" | "visible") =>
  run(t, `Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "${state}" });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }))`);

async function withPage(body: (t: TrackerPage) => Promise<void>, options: { initScript?: string } = {}, on = suite.browser) {
  posted.length = 0;
  await suite.withPage({ pages: {}, ...options }, body, on);
  await Bun.sleep(300); // the page closed with the context says gone: not into the next test's record
}

describe("the tab id", () => {
  test("every event carries it; it is window.pulse.tab; a reload is a new tab", async () => {
    const url = page("/tab");
    await withPage(async (t) => {
      await t.page.goto(url);
      await run(t, `new Promise((resolve) => pulse("Signup", { callback: resolve }))`);
      const tab = (await run(t, "pulse.tab")) as string;
      expect(tab).toMatch(/^[a-z0-9]{12,14}$/);
      expect(posted.map((p) => p.body.t)).toEqual([tab, tab]);
      await t.page.reload();
      await expectReceived(["pageview /tab", "Signup /tab", "gone /tab", "pageview /tab"]);
      expect(posted[2]!.body.t).toBe(tab); // the old page left
      expect(posted[3]!.body.t).toBe(await run(t, "pulse.tab"));
      expect(posted[3]!.body.t).not.toBe(tab);
    });
  }, TIMEOUT);
});

describe("signals", () => {
  test("on a hash route a signal says so, as the route's events do: the tab is on the page counted", async () => {
    const url = page("/cellar");
    await withPage(async (t) => {
      await t.page.goto(`${url}#wines`);
      await expectReceived(["pageview /cellar"]);
      expect(posted[0]!.body.h).toBe(1);
      await setVisibility(t, "hidden");
      await setVisibility(t, "visible");
      await expectReceived(["pageview /cellar", "gone /cellar", "here /cellar"]);
      expect(signals().map((s) => [s.body.s, s.body.u, s.body.h])).toEqual([
        ["gone", `${url}#wines`, true],
        ["here", `${url}#wines`, true],
      ]);
    });
  }, TIMEOUT);

  test("hidden: one gone; shown again: one here; each as text/plain with the page, the site and the tab", async () => {
    const url = page("/wines");
    await withPage(async (t) => {
      await t.page.goto(url);
      await expectReceived(["pageview /wines"]);
      await setVisibility(t, "hidden");
      await setVisibility(t, "hidden"); // said again: no second gone
      await run(t, `dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false }))`); // the same leave
      await expectReceived(["pageview /wines", "gone /wines"]);
      await setVisibility(t, "visible");
      await setVisibility(t, "visible");
      await expectReceived(["pageview /wines", "gone /wines", "here /wines"]);
      const tab = await run(t, "pulse.tab");
      expect(signals().map((s) => s.body)).toEqual([
        { d: "shop.test", u: url, t: tab, s: "gone", h: false },
        { d: "shop.test", u: url, t: tab, s: "here", h: false },
      ]);
      expect(signals().map((s) => s.contentType)).toEqual(["text/plain;charset=UTF-8", "text/plain;charset=UTF-8"]);
    });
  }, TIMEOUT);

  test("closing the tab: one gone (pagehide, then visibilitychange to hidden), sent as a beacon that outlives the page", async () => {
    const url = page("/cart");
    await withPage(async (t) => {
      await t.page.goto(url);
      await expectReceived(["pageview /cart"]);
      await t.page.close({ runBeforeUnload: true });
      await expectReceived(["pageview /cart", "gone /cart"]);
    });
  }, TIMEOUT);

  test("a pagehide alone says gone: a browser may leave a page without saying first that it is hidden", async () => {
    const url = page("/leaving");
    await withPage(async (t) => {
      await t.page.goto(url);
      await run(t, `dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true }))`);
      await expectReceived(["pageview /leaving", "gone /leaving"]);
    });
  }, TIMEOUT);

  test("a single-page navigation moves the tab: its pageview is the here, and later signals name the new page", async () => {
    const url = page("/wines");
    await withPage(async (t) => {
      await t.page.goto(url);
      await run(t, `history.pushState({}, "", "/wines/11")`);
      await setVisibility(t, "hidden");
      await expectReceived(["pageview /wines", "pageview /wines/11", "gone /wines/11"]);
    });
  }, TIMEOUT);

  test("ignored pages send no signal", async () => {
    const url = page("/admin/users", "", { "data-exclude": "/admin/**" });
    await withPage(async (t) => {
      await t.page.goto(url);
      await setVisibility(t, "hidden");
      await setVisibility(t, "visible");
      await run(t, `history.pushState({}, "", "/shop")`);
      await setVisibility(t, "hidden");
      await expectReceived(["pageview /shop", "gone /shop"]);
    });
  }, TIMEOUT);

  test("without navigator.sendBeacon, fetch with keepalive", async () => {
    const url = page("/old");
    const initScript = `delete Navigator.prototype.sendBeacon; window.fetches = []; const f = fetch; window.fetch = (u, o) => (fetches.push(o.keepalive), f(u, o))`;
    await withPage(
      async (t) => {
        await t.page.goto(url);
        await setVisibility(t, "hidden");
        await expectReceived(["pageview /old", "gone /old"]);
        expect(await run(t, "fetches")).toEqual([true, true]);
      },
      { initScript },
    );
  }, TIMEOUT);
});

describe("the heartbeat", () => {
  test("here every 2 minutes while the page is shown; no timer while hidden", async () => {
    const url = page("/long-read");
    await withPage(async (t) => {
      await t.context.clock.install();
      await t.page.goto(url);
      await expectReceived(["pageview /long-read"]);
      await t.page.clock.runFor(119_000);
      await expectReceived(["pageview /long-read"]);
      await t.page.clock.runFor(1_000);
      await expectReceived(["pageview /long-read", "here /long-read"]);
      await t.page.clock.runFor(120_000);
      await expectReceived(["pageview /long-read", "here /long-read", "here /long-read"]);
      await setVisibility(t, "hidden");
      await t.page.clock.runFor(600_000);
      await expectReceived(["pageview /long-read", "here /long-read", "here /long-read", "gone /long-read"]);
      await setVisibility(t, "visible");
      await t.page.clock.runFor(119_000); // the return restarts the beat: 2 minutes from now
      await expectReceived(["pageview /long-read", "here /long-read", "here /long-read", "gone /long-read", "here /long-read"]);
      await t.page.clock.runFor(1_000);
      await expectReceived(["pageview /long-read", "here /long-read", "here /long-read", "gone /long-read", "here /long-read", "here /long-read"]);
    });
  }, TIMEOUT);
});

describe("the back-forward cache", () => {
  test("leaving says gone; a restore says here (Chromium shows the page before pageshow) and is a new pageview", async () => {
    const first = page("/", `<a id="next" href="/other">Other</a><script>addEventListener("pageshow", (e) => (window.restored = e.persisted))</script>`);
    page("/other");
    const bfcacheBrowser = await launchBrowser({ extraArgs: HUMAN_ARGS, backForwardCache: true });
    try {
      await withPage(
        async (t) => {
          await t.page.goto(first);
          await t.page.click("#next");
          await expectReceived(["pageview /", "gone /", "pageview /other"]);
          const leftTab = posted[0]!.body.t;
          await t.page.goBack({ waitUntil: "commit" });
          await t.page.waitForFunction(() => (window as { restored?: boolean }).restored === true, undefined, { timeout: 10_000 });
          const notRestored = await run(t, `performance.getEntriesByType("navigation")[0].notRestoredReasons`);
          await waitUntil(() => posted.length >= 6, () => `6 requests; got ${JSON.stringify(received())}`);
          await Bun.sleep(300);
          // /other left as / came back: their requests may cross.
          expect(received().slice(3).sort()).toEqual(["gone /other", "here /", "pageview /"]);
          expect(received().length).toBe(6);
          // The restored page is the same document: the same tab, back.
          expect(posted.filter((p) => new URL(p.body.u as string).pathname === "/").map((p) => p.body.t)).toEqual(Array(4).fill(leftTab));
          expect(notRestored ?? null).toBeNull();
        },
        {},
        bfcacheBrowser,
      );
    } finally {
      await bfcacheBrowser.close();
    }
  }, TIMEOUT);
});
