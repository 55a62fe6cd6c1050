/** The live widget's size budget, checked on the built artifact (run `bun build.ts --assets-only` first). */
import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { embeddedAssets } from "../../src/generated/assets.ts";

const BUDGET_GZIP_BYTES = 1_024;

test(`live.js is at most ${BUDGET_GZIP_BYTES} bytes gzipped, one classic script`, () => {
  const script = embeddedAssets["/js/live.js"];
  expect(script).toBeDefined();
  const gzip = gzipSync(script!.body).byteLength;
  console.log(`live.js: ${Buffer.byteLength(script!.body)} B raw, ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`);
  expect(gzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  expect(script!.body).toContain("/live");
  expect(script!.body).not.toMatch(/^\s*(import|export)\s/m);
});
