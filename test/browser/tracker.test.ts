/**
 * The built tracker (/js/script.js from the Pulse server, so run `bun build.ts --assets-only`
 * first) in Chromium, on fixture pages at https://shop.test served by playwright's routing. Each
 * test collects the events the page POSTed and asserts what was sent and what was not; `fence()`
 * (a custom event whose callback runs when its request is over) marks "everything before has
 * been observed", so "nothing was sent" is not just "nothing was sent yet".
 * The ignore rules are in tracker-ignore.test.ts.
 */
import { describe, expect, test } from "bun:test";
import type { FeedItem } from "../../src/core/wire/protocol.ts";
import { HUMAN_ARGS, launchBrowser, screenshot } from "../helpers/browser.ts";
import {
  closedPort,
  expectAccepted,
  html,
  run,
  sentList,
  SITE_ORIGIN,
  useTrackerSuite,
  withoutFences,
  type TrackerPage,
} from "../helpers/tracker-page.ts";

const TIMEOUT = 30_000;
const suite = useTrackerSuite();

describe("pageviews", () => {
  test("one on load, with Plausible's short keys and the time zone, accepted by the server", async () => {
    await suite.withPage({ pages: { "/wines": html(`<h1>Wines</h1>${suite.tag()}`) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wines?sort=price`, { referer: "https://www.google.com/" });
      await t.waitForSent(1);
      expect(t.sent[0]!.payload).toEqual({
        n: "pageview",
        u: "https://shop.test/wines?sort=price",
        d: "shop.test",
        r: "https://www.google.com/",
        tz: "Europe/Paris",
        t: (await run(t, "pulse.tab")) as string,
      });
      expect(t.sent[0]!.url).toBe(`${suite.server.url}api/event`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/wines?sort=price"]);
      await expectAccepted(t);
      await screenshot(t.page, "tracker-fixture");
    });
  }, TIMEOUT);

  test("without data-domain, the page's host name; without a referrer, r is null", async () => {
    await suite.withPage({ pages: { "/": html(suite.tag({})) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      expect(t.sent[0]!.payload.d).toBe("shop.test");
      expect(t.sent[0]!.payload.r).toBeNull();
    });
  }, TIMEOUT);

  test("pushState and replaceState count new paths only", async () => {
    await suite.withPage({ pages: { "/": html(`<section id="reviews"></section>${suite.tag()}`) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      await run(t, `history.pushState({}, "", "/wines")`);
      await run(t, `history.replaceState({}, "", "/wines")`); // same path: nothing
      await run(t, `history.replaceState({}, "", "/wines?sort=price")`); // a query is not a new page
      await run(t, `history.pushState({}, "", "/wines#reviews")`); // nor an anchor
      await run(t, `history.replaceState({ step: 2 }, "", "/cart")`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/", "pageview https://shop.test/wines", "pageview https://shop.test/cart"]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("back and forward (popstate) count once each", async () => {
    await suite.withPage({ pages: { "/": html(suite.tag()) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await run(t, `history.pushState({}, "", "/a"); history.pushState({}, "", "/b")`);
      await t.waitForSent(3);
      await t.page.goBack();
      await t.page.waitForURL(`${SITE_ORIGIN}/a`);
      await t.page.goForward();
      await t.page.waitForURL(`${SITE_ORIGIN}/b`);
      await t.fence();
      expect(sentList(t)).toEqual(["/", "/a", "/b", "/a", "/b"].map((path) => `pageview https://shop.test${path}`));
    });
  }, TIMEOUT);

  test("hash routes count once (though popstate and hashchange both fire); in-page anchors not at all", async () => {
    const body = `<section id="reviews"></section><a id="anchor" href="#reviews">Reviews</a> <a id="cart" href="#/cart">Cart</a>
      <a id="account" href="#!/account">Account</a>
      <script>window.fired = []; for (const type of ["popstate", "hashchange"]) addEventListener(type, () => fired.push(type));</script>`;
    await suite.withPage({ pages: { "/": html(body + suite.tag()) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      await t.page.click("#anchor");
      await t.page.click("#cart");
      await t.page.click("#account");
      await t.page.goBack(); // to #/cart
      await t.page.waitForURL(`${SITE_ORIGIN}/#/cart`);
      await t.fence();
      // Both events fired for each of the four navigations (hashchange is queued, so their order may interleave).
      const fired = (await run(t, "fired")) as string[];
      expect([...fired].sort()).toEqual([...Array(4).fill("hashchange"), ...Array(4).fill("popstate")]);
      expect(sentList(t)).toEqual([
        "pageview https://shop.test/",
        "pageview https://shop.test/#/cart",
        "pageview https://shop.test/#!/account",
        "pageview https://shop.test/#/cart",
      ]);
      const routes = withoutFences(t.sent).slice(1);
      expect(routes.every((s) => s.payload.h === 1)).toBe(true);
      expect(t.sent[0]!.payload.h).toBeUndefined();
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("a page restored from the back-forward cache counts again", async () => {
    // Playwright disables the cache by default; this browser keeps it.
    const bfcacheBrowser = await launchBrowser({ extraArgs: HUMAN_ARGS, backForwardCache: true });
    try {
      const pages = {
        "/": html(
          `<a id="next" href="/other">Other</a>${suite.tag()}
          <script>addEventListener("pageshow", (e) => (window.restored = e.persisted))</script>`,
        ),
        "/other": html(suite.tag()),
      };
      await suite.withPage(
        { pages },
        async (t) => {
          await t.page.goto(`${SITE_ORIGIN}/`);
          await t.waitForSent(1);
          await t.page.click("#next");
          await t.waitForSent(2);
          // A restore fires no load event; playwright would wait for one.
          await t.page.goBack({ waitUntil: "commit" });
          await t.page.waitForFunction(() => (window as { restored?: boolean }).restored === true, undefined, { timeout: 10_000 });
          await t.fence();
          expect(sentList(t)).toEqual(["/", "/other", "/"].map((path) => `pageview https://shop.test${path}`));
        },
        bfcacheBrowser,
      );
    } finally {
      await bfcacheBrowser.close();
    }
  }, TIMEOUT);

  test("a pageshow that is not a restore is no new view", async () => {
    await suite.withPage({ pages: { "/": html(suite.tag()) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      await run(t, `dispatchEvent(new PageTransitionEvent("pageshow", { persisted: false }))`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/"]);
      await run(t, `dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }))`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/", "pageview https://shop.test/"]);
    });
  }, TIMEOUT);
});

describe("links", () => {
  const links = `
    <a id="out" href="https://wine.example/list"><span>Wine Example</span></a>
    <a id="pdf" href="/files/price-list.pdf">Price list</a>
    <a id="zip" href="https://cdn.example/catalogue.zip">Catalogue</a>
    <a id="inside" href="/about" onclick="event.preventDefault()">About</a>
    <a id="mail" href="mailto:shop@wine.example" onclick="event.preventDefault()">Mail</a>`;
  const OUTBOUND = "script.outbound-links.js";

  /** Clicks every kind of link, without leaving the page (a middle click opens a tab), then fences. */
  async function clickEveryLink(t: TrackerPage): Promise<void> {
    await t.page.goto(`${SITE_ORIGIN}/`);
    await t.waitForSent(1);
    await t.page.click("#out", { button: "middle" });
    await t.page.click("#inside");
    await t.page.click("#mail");
    await Promise.all([t.page.waitForEvent("download"), t.page.click("#pdf")]);
    await Promise.all([t.page.waitForEvent("download"), t.page.click("#zip")]);
    await t.fence();
  }
  const clicks = (t: TrackerPage) => withoutFences(t.sent).map((s) => [s.payload.n, s.payload.p]);

  test("script.js tracks no link: an outbound click and downloads send nothing", async () => {
    await suite.withPage({ pages: { "/": html(links + suite.tag()) } }, async (t) => {
      await clickEveryLink(t);
      expect(clicks(t)).toEqual([["pageview", undefined]]);
    });
  }, TIMEOUT);

  test("script.outbound-links.js: an outbound click is sent and the navigation still happens", async () => {
    // Playwright loses sight of a request once its page is gone: a dashboard tells whether the server counted it.
    const dashboard = await suite.server.dashboard("outbound.test");
    try {
      await suite.withPage({ pages: { "/": html(links + suite.tag({ "data-domain": "outbound.test" }, OUTBOUND)) } }, async (t) => {
        await t.page.goto(`${SITE_ORIGIN}/`);
        await t.waitForSent(1);
        await t.page.click("#out span"); // the link's child: the tracker finds the link
        await t.page.waitForURL("https://wine.example/list");
        await t.waitForSent(2);
        expect(t.sent[1]!.payload).toMatchObject({
          n: "Outbound Link: Click",
          u: "https://shop.test/",
          p: { url: "https://wine.example/list" },
        });
        // keepalive: the request outlived the page that made it.
        const counted = (item: FeedItem) => item.n === "Outbound Link: Click" && item.props?.url === "https://wine.example/list";
        await dashboard.waitFor((frame) => "feed" in frame && frame.feed.some(counted), 10_000);
        await screenshot(t.page, "tracker-outbound-destination");
      });
    } finally {
      dashboard.socket.close();
    }
  }, TIMEOUT);

  test("script.outbound-links.js: a middle click (auxclick) is sent; a right click is not", async () => {
    await suite.withPage({ pages: { "/": html(links + suite.tag(undefined, OUTBOUND)) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      await t.page.click("#out", { button: "right" });
      await t.page.click("#out", { button: "middle" });
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/", "Outbound Link: Click https://shop.test/"]);
      expect(t.page.url()).toBe(`${SITE_ORIGIN}/`);
    });
  }, TIMEOUT);

  test("script.outbound-links.js: a file is no download; on another host it is an outbound click", async () => {
    await suite.withPage({ pages: { "/": html(links + suite.tag(undefined, OUTBOUND)) } }, async (t) => {
      await clickEveryLink(t);
      expect(clicks(t)).toEqual([
        ["pageview", undefined],
        ["Outbound Link: Click", { url: "https://wine.example/list" }],
        ["Outbound Link: Click", { url: "https://cdn.example/catalogue.zip" }],
      ]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("script.file-downloads.js: downloads, here or on another host, count; an outbound click does not", async () => {
    await suite.withPage({ pages: { "/": html(links + suite.tag(undefined, "script.file-downloads.js")) } }, async (t) => {
      await clickEveryLink(t);
      expect(clicks(t)).toEqual([
        ["pageview", undefined],
        ["File Download", { url: "https://shop.test/files/price-list.pdf" }],
        ["File Download", { url: "https://cdn.example/catalogue.zip" }],
      ]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("both kinds (script.file-downloads.outbound-links.js): a download is File Download only; internal and mailto links are nothing", async () => {
    await suite.withPage({ pages: { "/": html(links + suite.tag(undefined, "script.file-downloads.outbound-links.js")) } }, async (t) => {
      await clickEveryLink(t);
      expect(clicks(t)).toEqual([
        ["pageview", undefined],
        ["Outbound Link: Click", { url: "https://wine.example/list" }],
        ["File Download", { url: "https://shop.test/files/price-list.pdf" }],
        ["File Download", { url: "https://cdn.example/catalogue.zip" }],
      ]);
      await expectAccepted(t);
    });
  }, TIMEOUT);
});

describe("script.manual.js", () => {
  const MANUAL = "script.manual.js";

  test("no pageview on load or navigation: only those the page sends, at the URL it names", async () => {
    const stub = `<script>window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)}</script>
      <script>pulse("pageview", { u: "https://shop.test/wines/_id_" })</script>`;
    await suite.withPage({ pages: { "/wines/17": html(suite.tag(undefined, MANUAL), stub) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wines/17`);
      await t.waitForSent(1);
      await run(t, `history.pushState({}, "", "/cart")`);
      await run(t, `location.hash = "#wines"`);
      await t.fence();
      await run(t, `pulse("pageview")`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/wines/_id_", "pageview https://shop.test/cart#wines"]);
      expect(t.sent.every((s) => s.payload.t === t.sent[0]!.payload.t)).toBe(true);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("script.js counts the page's own URL, whatever u says", async () => {
    await suite.withPage({ pages: { "/wines/17": html(suite.tag()) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wines/17`);
      await t.waitForSent(1);
      await run(t, `pulse("Signup", { u: "https://shop.test/elsewhere" })`);
      await t.fence();
      expect(sentList(t)).toEqual(["pageview https://shop.test/wines/17", "Signup https://shop.test/wines/17"]);
    });
  }, TIMEOUT);
});

describe("custom events", () => {
  test("window.pulse(name, { props, callback }): sent with its props, then the callback runs", async () => {
    await suite.withPage({ pages: { "/": html(suite.tag()) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(1);
      const calledBack = await run(
        t,
        `new Promise((resolve) => pulse("Signup", { props: { plan: "pro", seats: 3 }, callback: () => resolve(true) }))`,
      );
      expect(calledBack).toBe(true);
      expect(t.sent[1]!.payload).toEqual({
        n: "Signup",
        u: "https://shop.test/",
        d: "shop.test",
        r: null,
        p: { plan: "pro", seats: 3 },
        tz: "Europe/Paris",
        t: t.sent[0]!.payload.t,
      });
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("calls made before the script loaded are replayed in order, then pulse is the real function", async () => {
    const stub = `<script>window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)}</script>
      <script>pulse("First"); pulse("Second", { props: { step: 2 } }); pulse("Third");</script>`;
    await suite.withPage({ pages: { "/": html(suite.tag(), stub) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.waitForSent(4);
      await run(t, `pulse("Fourth")`);
      await t.fence();
      expect(t.names()).toEqual(["pageview", "First", "Second", "Third", "Fourth", "Fence"]);
      expect(t.sent[2]!.payload.p).toEqual({ step: 2 });
      expect(await run(t, "window.pulse.q")).toBeUndefined();
      await expectAccepted(t);
    });
  }, TIMEOUT);
});

describe("sending", () => {
  test("data-api overrides the endpoint", async () => {
    const api = "https://collector.example/stats/api/event";
    await suite.withPage({ pages: { "/": html(suite.tag({ "data-domain": "shop.test", "data-api": api })) } }, async (t) => {
      await t.context.route(api, (route) =>
        route.fulfill({ status: 202, headers: { "access-control-allow-origin": "*" }, body: "ok" }),
      );
      await t.page.goto(`${SITE_ORIGIN}/`);
      await t.fence();
      expect(t.sent.map((s) => s.url)).toEqual([api, api]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("a server that is down is silent: no page error, callbacks still run", async () => {
    const api = `http://127.0.0.1:${closedPort()}/api/event`;
    const page = html(`<h1>Still fine</h1>${suite.tag({ "data-domain": "shop.test", "data-api": api })}`);
    await suite.withPage({ pages: { "/": page } }, async (t) => {
      const failed: string[] = [];
      t.context.on("requestfailed", (request) => failed.push(request.url()));
      await t.page.goto(`${SITE_ORIGIN}/`);
      await run(t, `history.pushState({}, "", "/next")`);
      await t.fence(); // resolves only if the failed request's callback ran
      expect(t.names()).toEqual(["pageview", "pageview", "Fence"]);
      expect(failed).toEqual([api, api, api]);
      expect(await t.page.textContent("h1")).toBe("Still fine");
    });
  }, TIMEOUT);
});
