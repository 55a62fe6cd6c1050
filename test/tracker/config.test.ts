import { expect, test } from "bun:test";
import { readConfig } from "../../ui/tracker/config.ts";

const tag = (attributes: Record<string, string>, src = "https://pulse.example:8443/js/script.js") => ({
  src,
  getAttribute: (name: string) => attributes[name] ?? null,
});

test("defaults: the script's own server, the page's host, nothing excluded", () => {
  const config = readConfig(tag({}), "shop.test");
  expect(config.api).toBe("https://pulse.example:8443/api/event");
  expect(config.presenceApi).toBe("https://pulse.example:8443/api/presence");
  expect(config.domain).toBe("shop.test");
  expect(config.allowLocal).toBe(false);
  expect(config.excluded("/")).toBe(false);
  expect(config.included("/")).toBe(true);
  expect(config.included("/any/page#/route")).toBe(true);
  expect(config.hash).toBeNull();
});

test("data-* attributes", () => {
  const config = readConfig(
    tag({
      "data-api": "/stats/event",
      "data-domain": "shop.example,all.example",
      "data-allow-localhost": "",
      "data-exclude": "/admin/**",
      "data-include": "/shop/**",
      "data-hash": "off",
    }),
    "shop.test",
  );
  expect(config.api).toBe("/stats/event");
  expect(config.presenceApi).toBe("/stats/presence");
  expect(config.hash).toBe("off");
  expect(config.domain).toBe("shop.example,all.example");
  expect(config.allowLocal).toBe(true);
  expect(config.excluded("/admin/a/b")).toBe(true);
  expect(config.excluded("/shop")).toBe(false);
  expect(config.included("/shop/wines")).toBe(true);
  expect(config.included("/blog")).toBe(false);
});

test("empty attributes fall back to the defaults", () => {
  const config = readConfig(tag({ "data-api": "", "data-domain": "" }), "shop.test");
  expect(config.api).toBe("https://pulse.example:8443/api/event");
  expect(config.domain).toBe("shop.test");
});

test("without a script tag (a module script has no currentScript): same-origin endpoint", () => {
  const config = readConfig(null, "shop.test");
  expect(config.api).toBe("/api/event");
  expect(config.presenceApi).toBe("/api/presence");
  expect(config.domain).toBe("shop.test");
  expect(config.allowLocal).toBe(false);
});

test("the presence endpoint is data-api with its last path segment replaced", () => {
  expect(readConfig(tag({ "data-api": "https://collector.example/p/api/event" }), "shop.test").presenceApi).toBe(
    "https://collector.example/p/api/presence",
  );
  expect(readConfig(tag({ "data-api": "https://collector.example/collect" }), "shop.test").presenceApi).toBe(
    "https://collector.example/presence",
  );
});
