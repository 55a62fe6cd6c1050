/** The dashboard's size as built (run `bun build.ts` first): what a first visit downloads, compressed. */
import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { embeddedAssets } from "../../src/generated/assets.ts";

/** Bytes, gzipped, of the dashboard's script and style sheet together. */
const DASHBOARD_BUDGET = 80_000;

test(`the dashboard's JS and CSS stay under ${DASHBOARD_BUDGET} B gzipped`, () => {
  const sizes = ["/assets/dashboard.js", "/assets/dashboard.css"].map((path) => {
    const asset = embeddedAssets[path];
    if (!asset) throw new Error(`${path} is not built`);
    return gzipSync(asset.body).byteLength;
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(`dashboard: ${sizes[0]} B JS + ${sizes[1]} B CSS = ${total} B gzipped (budget ${DASHBOARD_BUDGET} B)`);
  expect(total).toBeGreaterThan(10_000); // the files are really there
  expect(total).toBeLessThan(DASHBOARD_BUDGET);
});
