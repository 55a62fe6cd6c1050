/** GET /js/script…js: every name of the tracker's variants, from the built assets (run `bun build.ts --assets-only` first). */
import { expect, test } from "bun:test";
import { embeddedAssets } from "../../src/generated/assets.ts";
import { BASE, errorOf, handlerSetup } from "../helpers/handler-setup.ts";

const get = (path: string, headers: Record<string, string> = {}) => new Request(`${BASE}${path}`, { headers });

test("every known combination is served, with the headers of script.js", async () => {
  const { handler } = handlerSetup({ files: embeddedAssets });
  const core = (await handler(get("/js/script.js")))!;
  expect(core.status).toBe(200);
  const coreBody = await core.text();
  const names = {
    "script.hash.js": "/js/script.js",
    "script.outbound-links.js": "/js/script.outbound-links.js",
    "script.file-downloads.js": "/js/script.file-downloads.js",
    "script.file-downloads.outbound-links.js": "/js/script.outbound-links.file-downloads.js",
    "script.hash.outbound-links.exclusions.js": "/js/script.outbound-links.js",
    "script.manual.local.js": "/js/script.local.manual.js",
  };
  for (const [name, build] of Object.entries(names)) {
    const response = (await handler(get(`/js/${name}`)))!;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(embeddedAssets[build]!.body);
    for (const header of ["content-type", "cache-control", "vary", "x-content-type-options"]) {
      expect([name, header, response.headers.get(header)]).toEqual([name, header, core.headers.get(header)]);
    }
    expect(response.headers.get("etag")).toBeTruthy();
  }
  expect(core.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(core.headers.get("cache-control")).toBe("public, max-age=300");
  expect(await (await handler(get("/js/script.outbound-links.js")))!.text()).not.toBe(coreBody);
});

test("a variant is gzipped and revalidated like script.js", async () => {
  const { handler } = handlerSetup({ files: embeddedAssets });
  const first = (await handler(get("/js/script.file-downloads.outbound-links.js", { "accept-encoding": "gzip" })))!;
  expect(first.headers.get("content-encoding")).toBe("gzip");
  const etag = first.headers.get("etag")!;
  const again = (await handler(get("/js/script.outbound-links.file-downloads.js", { "if-none-match": etag })))!;
  expect(again.status).toBe(304);
});

test("unknown and unsupported extensions are a 404 that says what there is", async () => {
  const { handler } = handlerSetup({ files: embeddedAssets });
  const unknown = await errorOf(await handler(get("/js/script.outbound-link.js")));
  expect(unknown.status).toBe(404);
  expect(unknown.body.error).toContain(`"outbound-link" is not a tracker script extension`);
  expect(unknown.body.error).toContain("outbound-links, file-downloads");
  const revenue = await errorOf(await handler(get("/js/script.revenue.js")));
  expect(revenue.status).toBe(404);
  expect(revenue.body.error).toContain("does not record revenue");
});
