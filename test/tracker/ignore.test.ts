import { describe, expect, test } from "bun:test";
import { isIgnored, isLocal, pathMatcher, type Page } from "../../ui/tracker/ignore.ts";

function page(overrides: { hostname?: string; protocol?: string } = {}, extra: Partial<Page> = {}): Page {
  return {
    location: { hostname: "shop.test", protocol: "https:", ...overrides },
    navigator: { webdriver: false },
    document: { visibilityState: "visible" },
    localStorage: {},
    ...extra,
  };
}
const rules = (exclude = "", allowLocal = false, include = "**") => ({ allowLocal, excluded: pathMatcher(exclude), included: pathMatcher(include) });

describe("isLocal", () => {
  test.each(["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "[::]"])("%s is local", (hostname) => {
    expect(isLocal({ hostname, protocol: "http:" })).toBe(true);
  });
  test.each(["shop.test", "localhost.shop.test", "127.example.com", "10.0.0.1", "[2001:db8::1]"])("%s is not", (hostname) => {
    expect(isLocal({ hostname, protocol: "https:" })).toBe(false);
  });
  test("file: pages are local", () => expect(isLocal({ hostname: "", protocol: "file:" })).toBe(true));
});

describe("pathMatcher", () => {
  test("no patterns match nothing", () => {
    expect(pathMatcher("")("/")).toBe(false);
    expect(pathMatcher(" , ")("/")).toBe(false);
  });
  test("* stays within one segment, ** crosses them", () => {
    const excluded = pathMatcher("/admin/*, /private/**");
    expect(excluded("/admin/users")).toBe(true);
    expect(excluded("/admin/users/")).toBe(true);
    expect(excluded("/admin/")).toBe(true);
    expect(excluded("/admin/users/7")).toBe(false);
    expect(excluded("/private")).toBe(false);
    expect(excluded("/private/")).toBe(true);
    expect(excluded("/private/a/b/c")).toBe(true);
    expect(excluded("/shop")).toBe(false);
    expect(excluded("/x/admin/users")).toBe(false);
  });
  test("a pattern matches the whole path, with an optional trailing slash", () => {
    const excluded = pathMatcher("/checkout");
    expect(excluded("/checkout")).toBe(true);
    expect(excluded("/checkout/")).toBe(true);
    expect(excluded("/checkout/done")).toBe(false);
    expect(excluded("/checkouts")).toBe(false);
  });
  test("* inside a segment", () => expect(pathMatcher("/blog/*-draft")("/blog/hello-draft")).toBe(true));
  test("regex characters are literal", () => {
    const excluded = pathMatcher("/a.b, /c+(d)?, /e|f, /[g]");
    expect(excluded("/a.b")).toBe(true);
    expect(excluded("/axb")).toBe(false);
    expect(excluded("/c+(d)?")).toBe(true);
    expect(excluded("/ccd")).toBe(false);
    expect(excluded("/e|f")).toBe(true);
    expect(excluded("/e")).toBe(false);
    expect(excluded("/[g]")).toBe(true);
  });
  test("route patterns for hash-routed pages", () => expect(pathMatcher("/#/admin/**")("/#/admin/users")).toBe(true));
});

describe("isIgnored", () => {
  test("an ordinary page is tracked", () => expect(isIgnored(page(), rules(), "/")).toBe(false));
  test("local pages, unless allowed", () => {
    expect(isIgnored(page({ hostname: "localhost" }), rules(), "/")).toBe(true);
    expect(isIgnored(page({ hostname: "localhost" }), rules("", true), "/")).toBe(false);
    expect(isIgnored(page({ hostname: "", protocol: "file:" }), rules(), "/")).toBe(true);
  });
  test("automated browsers", () => expect(isIgnored(page({}, { navigator: { webdriver: true } }), rules(), "/")).toBe(true));
  test("prerendered pages, old and new API", () => {
    expect(isIgnored(page({}, { document: { prerendering: true, visibilityState: "hidden" } }), rules(), "/")).toBe(true);
    expect(isIgnored(page({}, { document: { visibilityState: "prerender" } }), rules(), "/")).toBe(true);
    expect(isIgnored(page({}, { document: { prerendering: false, visibilityState: "hidden" } }), rules(), "/")).toBe(false);
  });
  test("the visitor's opt-out, exactly 'true'", () => {
    expect(isIgnored(page({}, { localStorage: { pulse_ignore: "true" } }), rules(), "/")).toBe(true);
    expect(isIgnored(page({}, { localStorage: { pulse_ignore: "false" } }), rules(), "/")).toBe(false);
  });
  test("blocked storage counts as not opted out, without throwing", () => {
    const blocked = page();
    Object.defineProperty(blocked, "localStorage", {
      get() {
        throw new DOMException("denied", "SecurityError");
      },
    });
    expect(isIgnored(blocked, rules(), "/")).toBe(false);
  });
  test("excluded pages, matched on the page as it is counted (the path, plus the route of hash-routed pages)", () => {
    expect(isIgnored(page(), rules("/admin/*"), "/admin/users")).toBe(true);
    expect(isIgnored(page(), rules("/admin/*"), "/admin/users#/x")).toBe(false);
    expect(isIgnored(page(), rules("/admin/**"), "/admin/users#/x")).toBe(true);
    expect(isIgnored(page(), rules("/#/admin/*"), "/#/admin/users")).toBe(true);
    expect(isIgnored(page(), rules("/#admin"), "/#admin")).toBe(true);
    expect(isIgnored(page(), rules("/#/admin/*"), "/#/shop")).toBe(false);
    expect(isIgnored(page(), rules("/admin/*"), "/shop")).toBe(false);
  });
  test("only included pages, when some are (data-include), less the excluded ones", () => {
    const blog = rules("/blog/drafts/**", false, "/blog/**, /#/blog/**");
    expect(isIgnored(page(), blog, "/blog/wines")).toBe(false);
    expect(isIgnored(page(), blog, "/#/blog/wines")).toBe(false);
    expect(isIgnored(page(), blog, "/shop")).toBe(true);
    expect(isIgnored(page(), blog, "/blog/drafts/1")).toBe(true);
    expect(isIgnored(page(), rules(), "/anything/at/all#/x")).toBe(false);
  });
});
