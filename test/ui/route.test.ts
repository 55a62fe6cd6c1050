import { expect, test } from "bun:test";
import { siteFromSearch, siteHref, socketUrl } from "../../ui/route.ts";

test("siteFromSearch", () => {
  expect(siteFromSearch("")).toBeNull();
  expect(siteFromSearch("?site=")).toBeNull();
  expect(siteFromSearch("?site=shop.test")).toBe("shop.test");
  expect(siteFromSearch(`?x=1&site=${encodeURIComponent("a.test/b c")}`)).toBe("a.test/b c");
});

test("siteHref round-trips through siteFromSearch", () => {
  const site = "weird site&x=1";
  expect(siteFromSearch(siteHref(site).slice(1))).toBe(site);
});

test("socketUrl follows the page's scheme and host", () => {
  expect(socketUrl({ protocol: "http:", host: "localhost:3999" }, null)).toBe("ws://localhost:3999/ws");
  expect(socketUrl({ protocol: "https:", host: "pulse.example" }, "shop.test")).toBe("wss://pulse.example/ws?site=shop.test");
  expect(socketUrl({ protocol: "http:", host: "h" }, "a&b")).toBe("ws://h/ws?site=a%26b");
});
