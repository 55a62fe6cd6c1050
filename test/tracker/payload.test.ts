import { expect, test } from "bun:test";
import { buildPayload } from "../../ui/tracker/payload.ts";

const at = (href: string) => ({ href, hash: new URL(href).hash });

test("a pageview: short keys, no props, referrer null when there is none", () => {
  expect(buildPayload("pageview", undefined, "shop.test", at("https://shop.test/wines?x=1"), "", "Europe/Paris")).toEqual({
    n: "pageview",
    u: "https://shop.test/wines?x=1",
    d: "shop.test",
    r: null,
    tz: "Europe/Paris",
  });
});

test("a custom event carries its props and the referrer", () => {
  const referrer = "https://www.google.com/";
  const payload = buildPayload("Signup", { plan: "pro", seats: 3 }, "shop.test", at("https://shop.test/"), referrer, "UTC");
  expect(payload.p).toEqual({ plan: "pro", seats: 3 });
  expect(payload.r).toBe("https://www.google.com/");
  expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
});

test("empty props are left out", () => {
  expect("p" in buildPayload("Signup", {}, "shop.test", at("https://shop.test/"), "", "UTC")).toBe(false);
});

test("h: 1 only when the URL has a route-like hash", () => {
  expect(buildPayload("pageview", undefined, "d", at("https://shop.test/#/cart"), "", "UTC").h).toBe(1);
  expect(buildPayload("pageview", undefined, "d", at("https://shop.test/#!cart"), "", "UTC").h).toBe(1);
  expect("h" in buildPayload("pageview", undefined, "d", at("https://shop.test/#reviews"), "", "UTC")).toBe(false);
  expect("h" in buildPayload("pageview", undefined, "d", at("https://shop.test/"), "", "UTC")).toBe(false);
});
