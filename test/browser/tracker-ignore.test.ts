/**
 * The tracker's ignore rules in Chromium: on each kind of page it must send nothing at all, which
 * `expectNothingSent` checks after a fence (see tracker.test.ts).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { launchBrowser } from "../helpers/browser.ts";
import { expectAccepted, html, run, sentList, SITE_ORIGIN, useTrackerSuite, type TrackerPage } from "../helpers/tracker-page.ts";

const TIMEOUT = 30_000;
const suite = useTrackerSuite();

describe("ignored: nothing is sent", () => {
  /** Asserts that the page ran the tracker yet sent nothing (the fence's own event included). */
  async function expectNothingSent(t: TrackerPage): Promise<void> {
    await run(t, `pulse("Custom", { props: { a: 1 } })`);
    await t.fence();
    expect(t.sent.map((s) => s.payload)).toEqual([]);
  }

  for (const origin of ["http://localhost:8999", "http://127.0.0.1:8999", "http://[::1]:8999"]) {
    test(`on ${origin}`, async () => {
      await suite.withPage({ pages: { [`${origin}/`]: html(suite.tag()) } }, async (t) => {
        await t.page.goto(`${origin}/`);
        await expectNothingSent(t);
      });
    }, TIMEOUT);
  }

  test("on file: pages", async () => {
    const dir = mkdtempSync(`${tmpdir()}/pulse-tracker-`);
    try {
      writeFileSync(`${dir}/index.html`, html(suite.tag()));
      await suite.withPage({ pages: {} }, async (t) => {
        await t.page.goto(`file://${dir}/index.html`);
        await expectNothingSent(t);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);

  test("…but local pages are tracked with data-allow-localhost", async () => {
    const origin = "http://localhost:8999";
    const page = html(suite.tag({ "data-domain": "shop.test", "data-allow-localhost": "" }));
    await suite.withPage({ pages: { [`${origin}/`]: page } }, async (t) => {
      await t.page.goto(`${origin}/`);
      await t.fence();
      expect(t.names()).toEqual(["pageview", "Fence"]);
      expect(t.sent[0]!.payload.u).toBe(`${origin}/`);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("…or with script.local.js, as Plausible's local extension", async () => {
    const origin = "http://localhost:8999";
    await suite.withPage({ pages: { [`${origin}/`]: html(suite.tag(undefined, "script.local.js")) } }, async (t) => {
      await t.page.goto(`${origin}/`);
      await t.fence();
      expect(t.names()).toEqual(["pageview", "Fence"]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("in automated browsers (navigator.webdriver)", async () => {
    const automated = await launchBrowser();
    try {
      await suite.withPage(
        { pages: { "/": html(suite.tag()) } },
        async (t) => {
          await t.page.goto(`${SITE_ORIGIN}/`);
          expect(await run(t, "navigator.webdriver")).toBe(true);
          await expectNothingSent(t);
        },
        automated,
      );
    } finally {
      await automated.close();
    }
  }, TIMEOUT);

  test("while prerendered; the pageview is sent once the page is activated", async () => {
    // Chromium refuses to prerender while DevTools drives it (PrerenderingDisabledByDevTools), so
    // the test plays the part: document.prerendering is true until it fires prerenderingchange.
    const initScript = `window.__prerendering = true;
      Object.defineProperty(Document.prototype, "prerendering", { configurable: true, get: () => window.__prerendering });
      window.__activate = () => { window.__prerendering = false; document.dispatchEvent(new Event("prerenderingchange")); };`;
    await suite.withPage({ pages: { "/": html(suite.tag()) }, initScript }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await run(t, `history.pushState({}, "", "/wines")`);
      await expectNothingSent(t);
      await run(t, "__activate()");
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/wines"]);
      await run(t, `document.dispatchEvent(new Event("prerenderingchange"))`); // fires once in reality; still no second view
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/wines"]);
    });
  }, TIMEOUT);

  test('when the visitor opted out (localStorage.pulse_ignore = "true"), which needs no reload to change', async () => {
    const initScript = `localStorage.setItem("pulse_ignore", "true")`;
    await suite.withPage({ pages: { "/": html(suite.tag()) }, initScript }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await expectNothingSent(t);
      await run(t, `localStorage.removeItem("pulse_ignore"); pulse("Back")`);
      await t.fence();
      expect(t.names()).toEqual(["Back", "Fence"]);
    });
  }, TIMEOUT);

  test("not when storage is blocked: reading it throws, the tracker carries on", async () => {
    const initScript = `Object.defineProperty(window, "localStorage", { get() { throw new DOMException("blocked", "SecurityError"); } })`;
    await suite.withPage({ pages: { "/": html(suite.tag()) }, initScript }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.fence();
      expect(t.names()).toEqual(["pageview", "Fence"]);
    });
  }, TIMEOUT);

  test("on pages matching data-exclude, events included", async () => {
    const page = html(suite.tag({ "data-domain": "shop.test", "data-exclude": "/admin/*, /private/**" }));
    await suite.withPage({ pages: { "/admin/users": page } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/admin/users`);
      await expectNothingSent(t);
      await run(t, `history.pushState({}, "", "/private/a/b")`);
      await run(t, `history.pushState({}, "", "/shop")`);
      await run(t, `history.pushState({}, "", "/admin/users/7")`); // * is one segment
      await run(t, `history.pushState({}, "", "/admin/")`);
      await run(t, `history.pushState({}, "", "/")`);
      await t.fence();
      expect(sentList(t)).toEqual(["/shop", "/admin/users/7", "/"].map((path) => `pageview https://shop.test${path}`));
    });
  }, TIMEOUT);

  test("on pages data-include does not match, as Plausible's exclusions extension (script.exclusions.js)", async () => {
    const page = html(suite.tag({ "data-domain": "shop.test", "data-include": "/blog/**", "data-exclude": "/blog/drafts/**" }, "script.exclusions.js"));
    await suite.withPage({ pages: { "/shop": page } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/shop`);
      await expectNothingSent(t);
      await run(t, `history.pushState({}, "", "/blog/wines")`);
      await run(t, `history.pushState({}, "", "/blog/drafts/1")`);
      await run(t, `history.pushState({}, "", "/cart")`);
      await run(t, `history.pushState({}, "", "/blog")`); // /blog/** is what is under /blog/
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/blog/wines"]);
    });
  }, TIMEOUT);
});
