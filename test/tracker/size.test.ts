/** The size budget of the file sites embed, checked on the built artifact (run `bun build.ts --assets-only` first). */
import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { embeddedAssets } from "../../src/generated/assets.ts";

/** 1,810 B today, hash routes and presence signals included (1,410 B before them). */
const BUDGET_GZIP_BYTES = 1_820;

test(`script.js is at most ${BUDGET_GZIP_BYTES} bytes gzipped`, () => {
  const script = embeddedAssets["/js/script.js"];
  expect(script).toBeDefined();
  const gzip = gzipSync(script!.body).byteLength;
  console.log(`script.js: ${Buffer.byteLength(script!.body)} B raw, ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`);
  expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
});

test("script.js is the tracker, minified into one classic script", () => {
  const body = embeddedAssets["/js/script.js"]!.body;
  expect(body).toContain("/api/event");
  expect(body).not.toMatch(/^\s*(import|export)\s/m);
  expect(body.split("\n").length).toBeLessThanOrEqual(2);
});
