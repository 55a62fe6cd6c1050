/**
 * Hash routes in Chromium (run `bun build.ts --assets-only` first): a hash change is a new page,
 * as in an app routed by hash (test/fixtures/wine-cellar.html, routed as a Backbone app is), but a
 * jump to an in-page anchor is not; `data-hash` overrides. See tracker.test.ts for the helpers.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { expectAccepted, html, run, sentList, SITE_ORIGIN, useTrackerSuite, withoutFences, type TrackerPage } from "../helpers/tracker-page.ts";

const TIMEOUT = 30_000;
const suite = useTrackerSuite();
const CELLAR = readFileSync(new URL("../fixtures/wine-cellar.html", import.meta.url), "utf8");

const cellar = (attributes?: Record<string, string>) => CELLAR.replace("<!-- tracker -->", suite.tag(attributes));
const views = (...paths: string[]) => paths.map((path) => `pageview ${SITE_ORIGIN}${path}`);
const heading = (t: TrackerPage) => t.page.textContent("h1");

describe("an app routed by hash", () => {
  test("each route is one pageview with its hash, by link and by location.hash; h: 1 marks them", async () => {
    await suite.withPage({ pages: { "/cellar": cellar() } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/cellar`);
      await t.waitForSent(1);
      await t.page.click("#nav-wines");
      expect(await heading(t)).toBe("Wines");
      await t.page.click("#wine-11");
      expect(await heading(t)).toBe("Château Margaux 2009");
      await run(t, `location.hash = "#about"`);
      await t.page.waitForURL(`${SITE_ORIGIN}/cellar#about`);
      await run(t, `location.hash = "about"`); // the same route again: no new page
      await t.page.click("#nav-home"); // "#": the page itself
      await t.page.waitForURL(`${SITE_ORIGIN}/cellar#`);
      await t.fence();
      expect(sentList(t)).toEqual(views("/cellar", "/cellar#wines", "/cellar#wines/11", "/cellar#about", "/cellar#"));
      expect(withoutFences(t.sent).map((s) => s.payload.h)).toEqual([undefined, 1, 1, 1, undefined]);
      await expectAccepted(t);
    });
  }, TIMEOUT);

  test("a deep link counts its route; back and forward count once each", async () => {
    await suite.withPage({ pages: { "/cellar": cellar() } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/cellar#wines/12`);
      await t.waitForSent(1);
      await run(t, `location.hash = "#wines"`);
      await run(t, `location.hash = "#about"`);
      await t.waitForSent(3);
      await t.page.goBack();
      await t.page.waitForURL(`${SITE_ORIGIN}/cellar#wines`);
      await t.page.goBack();
      await t.page.waitForURL(`${SITE_ORIGIN}/cellar#wines/12`);
      await t.page.goForward();
      await t.page.waitForURL(`${SITE_ORIGIN}/cellar#wines`);
      await t.fence();
      expect(sentList(t)).toEqual(views("/cellar#wines/12", "/cellar#wines", "/cellar#about", "/cellar#wines", "/cellar#wines/12", "/cellar#wines"));
      expect(await heading(t)).toBe("Wines");
    });
  }, TIMEOUT);

  test("data-exclude matches the route: nothing is sent on it, and leaving it counts", async () => {
    await suite.withPage({ pages: { "/cellar": cellar({ "data-domain": "shop.test", "data-exclude": "/cellar#wines/*" }) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
      await t.page.click("#wine-11");
      await run(t, `pulse("Add to cart")`);
      await run(t, `location.hash = "#about"`);
      await t.fence();
      expect(withoutFences(t.sent).map((s) => `${s.payload.n} ${s.payload.u}`)).toEqual(views("/cellar#wines", "/cellar#about"));
    });
  }, TIMEOUT);

  test('data-hash="off": hashes never make pages, #/routes included', async () => {
    await suite.withPage({ pages: { "/cellar": cellar({ "data-domain": "shop.test", "data-hash": "off" }) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/cellar#wines`);
      await t.waitForSent(1);
      await t.page.click("#wine-11");
      await run(t, `location.hash = "#/cart"`);
      await t.fence();
      expect(sentList(t)).toEqual(views("/cellar#wines"));
      expect(t.sent.every((s) => s.payload.h === undefined)).toBe(true);
    });
  }, TIMEOUT);
});

describe("a page with in-page anchors", () => {
  const article = (attributes?: Record<string, string>) =>
    html(`<h1>Château Margaux</h1><a id="to-reviews" href="#reviews">Reviews</a> <a id="to-notes" href="#notes">Notes</a>
      <a id="to-route" href="#cellar">Cellar</a>
      <section id="reviews" style="margin-top: 2000px">Reviews</section><a name="notes">Notes</a>${suite.tag(attributes)}`);

  test("a jump to an element's id or to a named anchor is no pageview; a hash naming nothing is", async () => {
    await suite.withPage({ pages: { "/wine": article() } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wine`);
      await t.waitForSent(1);
      await t.page.click("#to-reviews");
      await t.page.waitForURL(`${SITE_ORIGIN}/wine#reviews`);
      await t.page.click("#to-notes");
      await t.page.waitForURL(`${SITE_ORIGIN}/wine#notes`);
      await t.page.click("#to-route");
      await t.page.waitForURL(`${SITE_ORIGIN}/wine#cellar`);
      await run(t, `location.hash = "#reviews"`); // from a route, an anchor stays on that route
      await t.page.waitForURL(`${SITE_ORIGIN}/wine#reviews`);
      await t.fence();
      expect(sentList(t)).toEqual(views("/wine", "/wine#cellar"));
      // Events on an anchor belong to the path, with no h flag.
      expect(t.sent.at(-1)!.payload.h).toBeUndefined();
    });
  }, TIMEOUT);

  test("a page loaded at an anchor is the page itself", async () => {
    await suite.withPage({ pages: { "/wine": article() } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wine#reviews`);
      await t.fence();
      expect(sentList(t)).toEqual(views("/wine#reviews"));
      expect(t.sent[0]!.payload.h).toBeUndefined();
    });
  }, TIMEOUT);

  test('data-hash="all": every hash is a page, anchors too', async () => {
    await suite.withPage({ pages: { "/wine": article({ "data-domain": "shop.test", "data-hash": "all" }) } }, async (t) => {
      await t.page.goto(`${SITE_ORIGIN}/wine`);
      await t.waitForSent(1);
      await t.page.click("#to-reviews");
      await t.page.click("#to-notes");
      await t.fence();
      expect(sentList(t)).toEqual(views("/wine", "/wine#reviews", "/wine#notes"));
      expect(withoutFences(t.sent).map((s) => s.payload.h)).toEqual([undefined, 1, 1]);
    });
  }, TIMEOUT);
});
