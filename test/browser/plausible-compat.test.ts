/**
 * Plausible's own tracker (the @plausible-analytics/tracker package, the same code as its script),
 * pointed at Pulse with its endpoint setting, works unchanged: the exact bodies it sends are
 * accepted and counted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as esbuild from "esbuild";
import type { ServerFrame, TickFrame } from "../../src/core/wire/protocol.ts";
import type { TestDashboard } from "../helpers/dashboard-client.ts";
import { EXTERNAL_ORIGIN, SITE_ORIGIN, expectAccepted, html, useTrackerSuite } from "../helpers/tracker-page.ts";

const SITE = new URL(SITE_ORIGIN).host;
const ROOT = new URL("../../", import.meta.url).pathname;
/** The version the pinned package reports in every body (`v`). */
const PLAUSIBLE_VERSION = 36;

const suite = useTrackerSuite();
let dashboard: TestDashboard;

beforeAll(async () => {
  dashboard = await suite.server.dashboard(SITE);
});
afterAll(() => dashboard?.socket.close());

async function plausibleScript(): Promise<string> {
  const endpoint = new URL("/api/event", suite.server.url).href;
  const bundled = await esbuild.build({
    stdin: {
      contents: `import { init, track } from "@plausible-analytics/tracker";
        init({ domain: ${JSON.stringify(SITE)}, endpoint: ${JSON.stringify(endpoint)}, outboundLinks: true });
        window.signup = () => track("Signup", { props: { plan: "pro" } });`,
      resolveDir: ROOT,
    },
    bundle: true,
    format: "iife",
    write: false,
  });
  return bundled.outputFiles[0]!.text;
}

const shown = (name: string) => (frame: ServerFrame) => frame.type === "tick" && frame.feed.some((item) => item.n === name);
const itemOf = (frame: ServerFrame, name: string) => (frame as TickFrame).feed.find((item) => item.n === name);

describe("Plausible's tracker against Pulse", () => {
  test("its pageview, custom event and outbound click bodies are accepted and counted", async () => {
    const page = html(`<h1>Plausible's tracker</h1><a id="out" href="${EXTERNAL_ORIGIN}/">elsewhere</a><script>${await plausibleScript()}</script>`);
    await suite.withPage({ pages: { "/landing": page } }, async (t) => {
      const url = `${SITE_ORIGIN}/landing?utm_source=newsletter`;
      await t.page.goto(url);
      await t.waitForSent(1);
      await t.page.evaluate(() => (window as unknown as { signup(): void }).signup());
      await t.waitForSent(2);
      await t.page.click("#out");
      await t.waitForSent(3);

      expect(t.sent.map((sent) => sent.payload as unknown)).toEqual([
        { n: "pageview", v: PLAUSIBLE_VERSION, u: url, d: SITE, r: null },
        { n: "Signup", v: PLAUSIBLE_VERSION, u: url, d: SITE, r: null, p: { plan: "pro" } },
        { n: "Outbound Link: Click", v: PLAUSIBLE_VERSION, u: url, d: SITE, r: null, p: { url: `${EXTERNAL_ORIGIN}/` } },
      ]);
      await expectAccepted({ ...t, sent: t.sent.slice(0, 2) });

      expect(itemOf(await dashboard.waitFor(shown("pageview")), "pageview")).toMatchObject({ p: "/landing", s: "newsletter" });
      expect(itemOf(await dashboard.waitFor(shown("Signup")), "Signup")?.props).toEqual({ plan: "pro" });
      // The page navigated away before the answer: the dashboard shows the server counted it.
      const outbound = itemOf(await dashboard.waitFor(shown("Outbound Link: Click")), "Outbound Link: Click");
      expect(outbound?.props).toEqual({ url: `${EXTERNAL_ORIGIN}/` });
    });
  }, 30_000);
});
