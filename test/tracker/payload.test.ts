import { expect, test } from "bun:test";
import { buildPayload } from "../../ui/tracker/payload.ts";

test("a pageview: short keys, the tab, no props, referrer null when there is none", () => {
  expect(buildPayload("pageview", undefined, "shop.test", "k3x9q2m7a1b8", "https://shop.test/wines?x=1", "", "", "Europe/Paris")).toEqual({
    n: "pageview",
    u: "https://shop.test/wines?x=1",
    d: "shop.test",
    r: null,
    tz: "Europe/Paris",
    t: "k3x9q2m7a1b8",
  });
});

test("a custom event carries its props and the referrer", () => {
  const referrer = "https://www.google.com/";
  const payload = buildPayload("Signup", { plan: "pro", seats: 3 }, "shop.test", "tab", "https://shop.test/", "", referrer, "UTC");
  expect(payload.p).toEqual({ plan: "pro", seats: 3 });
  expect(payload.r).toBe("https://www.google.com/");
  expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
});

test("empty props are left out", () => {
  expect("p" in buildPayload("Signup", {}, "shop.test", "tab", "https://shop.test/", "", "", "UTC")).toBe(false);
});

test("h: 1 only when the URL's hash is a route", () => {
  const h = (route: string | undefined) => buildPayload("pageview", undefined, "d", "tab", "https://shop.test/#x", route, "", "UTC").h;
  expect(h("#wines")).toBe(1);
  expect(h("#/cart")).toBe(1);
  expect(h("")).toBeUndefined(); // no hash, or hashes off
  expect(h(undefined)).toBeUndefined(); // an anchor
});
