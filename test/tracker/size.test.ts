/** The size budget of the files sites embed, checked on the built artifact (run `bun build.ts --assets-only` first). */
import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { embeddedAssets } from "../../src/generated/assets.ts";
import { trackerBuilds } from "../../src/server/tracker-variants.ts";

/** script.js: 1,532 B today, with hash routes and presence signals (1,410 B before them), without link tracking. */
const CORE_BUDGET_GZIP_BYTES = 1_536;
/** Any variant, link tracking of both kinds included: 1,793 B today (script.file-downloads.local.js). */
const VARIANT_BUDGET_GZIP_BYTES = 1_850;

const gzipSize = (path: string) => {
  const script = embeddedAssets[path];
  expect(script).toBeDefined();
  const gzip = gzipSync(script!.body).byteLength;
  console.log(`${path}: ${Buffer.byteLength(script!.body)} B raw, ${gzip} B gzip`);
  return gzip;
};

test(`script.js is at most ${CORE_BUDGET_GZIP_BYTES} bytes gzipped`, () => {
  expect(gzipSize("/js/script.js")).toBeLessThanOrEqual(CORE_BUDGET_GZIP_BYTES);
});

test(`every variant, both kinds of link tracking included, is at most ${VARIANT_BUDGET_GZIP_BYTES} bytes gzipped`, () => {
  const builds = trackerBuilds();
  expect(builds.map((build) => build.path)).toContain("/js/script.outbound-links.file-downloads.js");
  const over = builds.map(({ path }) => ({ path, gzip: gzipSize(path) })).filter(({ gzip }) => gzip > VARIANT_BUDGET_GZIP_BYTES);
  expect(over).toEqual([]);
});

test("each variant is the tracker, minified into one classic script; only link tracking has a click listener", () => {
  for (const { path, features } of trackerBuilds()) {
    const body = embeddedAssets[path]!.body;
    expect(body).toContain("/api/event");
    expect(body).not.toMatch(/^\s*(import|export)\s/m);
    expect(body.split("\n").length).toBeLessThanOrEqual(2);
    const links = features.includes("outbound-links") || features.includes("file-downloads");
    expect([path, body.includes("auxclick")]).toEqual([path, links]);
    expect([path, body.includes("epub")]).toEqual([path, features.includes("file-downloads")]);
  }
});
