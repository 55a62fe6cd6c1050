import { expect, test } from "bun:test";
import { routeFromSearch, siteHref, socketUrl } from "../../ui/route.ts";

test("routeFromSearch: the site list, or a site named as the server names it", () => {
  expect(routeFromSearch("")).toEqual({ site: null });
  expect(routeFromSearch("?site=")).toEqual({ site: null });
  expect(routeFromSearch("?site=%20")).toEqual({ site: null });
  expect(routeFromSearch("?site=shop.test")).toEqual({ site: "shop.test" });
  // Snapshots name the site in lower case: a page that kept the capitals would match none of them.
  expect(routeFromSearch("?site=Quiet.Test")).toEqual({ site: "quiet.test" });
  expect(routeFromSearch(`?x=1&site=${encodeURIComponent(" Shop.Test:8080 ")}`)).toEqual({ site: "shop.test:8080" });
});

test("routeFromSearch: a value that is no host name is said to be one, not watched", () => {
  expect(routeFromSearch(`?site=${encodeURIComponent("a.test/b c")}`)).toEqual({ invalidSite: "a.test/b c" });
  expect(routeFromSearch("?site=-bad-.test")).toEqual({ invalidSite: "-bad-.test" });
  expect(routeFromSearch(`?site=${"a".repeat(300)}`)).toEqual({ invalidSite: "a".repeat(300) });
});

test("siteHref round-trips through routeFromSearch", () => {
  const site = "shop-1.example:8443";
  expect(routeFromSearch(siteHref(site).slice(1))).toEqual({ site });
});

test("socketUrl follows the page's scheme and host", () => {
  expect(socketUrl({ protocol: "http:", host: "localhost:3999" }, null)).toBe("ws://localhost:3999/ws");
  expect(socketUrl({ protocol: "https:", host: "pulse.example" }, "shop.test")).toBe("wss://pulse.example/ws?site=shop.test");
  expect(socketUrl({ protocol: "http:", host: "h" }, "a&b")).toBe("ws://h/ws?site=a%26b");
});

test("socketUrl carries the view's filters, in one order", () => {
  expect(socketUrl({ protocol: "http:", host: "h" }, "shop.test", { country: "FR", page: "/pricing" })).toBe(
    "ws://h/ws?site=shop.test&page=%2Fpricing&country=FR",
  );
});

test("socketUrl carries the view's window, left out for the default 30 minutes", () => {
  const at = { protocol: "http:", host: "h" };
  expect(socketUrl(at, "shop.test", { country: "FR" }, 5)).toBe("ws://h/ws?site=shop.test&window=5&country=FR");
  expect(socketUrl(at, "shop.test", {}, 1)).toBe("ws://h/ws?site=shop.test&window=1");
  expect(socketUrl(at, "shop.test", {}, 30)).toBe("ws://h/ws?site=shop.test");
});
