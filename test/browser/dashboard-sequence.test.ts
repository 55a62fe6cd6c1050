/**
 * The built dashboard in chromium against a scripted server: the test decides every frame, so it
 * can play what a real server does only after hours (a site forgotten while idle starts its
 * sequence over) or when something is wrong (the token stops being accepted).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server, ServerWebSocket } from "bun";
import type { Browser, Page } from "playwright-core";
import type { SnapshotFrame, Stats, TickFrame } from "../../src/core/wire/protocol.ts";
import { embeddedAssets } from "../../src/generated/assets.ts";
import { emptyStats } from "../../ui/view-model.ts";
import { chromiumAvailable, launchBrowser } from "../helpers/browser.ts";

const SITE = "shop.test";
const STEP_TIMEOUT = 10_000;
const HOUR = 3_600_000;

interface Script {
  /** Status for the page and the socket's upgrade; 200 serves and upgrades. */
  status: number;
  /** The snapshot a socket gets on open, and again for each watch command. */
  snapshot: () => SnapshotFrame;
}

let server: Server<undefined>;
let browser: Browser;
let script: Script;
const sockets: Array<ServerWebSocket<undefined>> = [];
const commands: string[] = [];
/** Socket requests, refused ones included. */
let upgrades = 0;

beforeAll(async () => {
  if (!chromiumAvailable()) throw new Error("browser tests need Debian's chromium: apt-get install chromium (.ci/run does it)");
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request, bunServer) {
      const { pathname } = new URL(request.url);
      if (pathname === "/ws") upgrades++;
      if (script.status !== 200) return new Response("no", { status: script.status });
      if (pathname === "/ws") {
        return bunServer.upgrade(request) ? undefined : new Response("expected an upgrade", { status: 426 });
      }
      const asset = embeddedAssets[pathname === "/" ? "/index.html" : pathname];
      return asset ? new Response(asset.body, { headers: { "content-type": asset.contentType } }) : new Response("", { status: 404 });
    },
    websocket: {
      open(ws) {
        sockets.push(ws);
        ws.send(JSON.stringify(script.snapshot()));
      },
      message(ws, message) {
        commands.push(String(message));
        ws.send(JSON.stringify(script.snapshot()));
      },
    },
  });
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  server?.stop(true);
});

const T0 = Date.now() - HOUR;
const visitors = (n: number) => ({ last5m: n, last30m: n, capped: false });
const snapshot = (epoch: number, seq: number, stats: Partial<Stats> = {}): SnapshotFrame => ({
  type: "snapshot",
  site: SITE,
  seq,
  epoch,
  time: Date.now(),
  stats: { ...emptyStats(), ...stats },
  feed: [],
});
const tick = (epoch: number, seq: number, changed: Partial<Stats>, path?: string): TickFrame => ({
  type: "tick",
  site: SITE,
  seq,
  epoch,
  time: Date.now(),
  changed,
  feed: path ? [{ t: Date.now(), n: "pageview", p: path, s: "Direct / None", d: "Desktop", b: "Chrome", o: "Linux", c: "FR" }] : [],
  more: 0,
});
const publish = (frame: TickFrame) => {
  for (const ws of sockets) ws.send(JSON.stringify(frame));
};

async function openSite(): Promise<{ page: Page; errors: string[] }> {
  sockets.length = 0;
  commands.length = 0;
  upgrades = 0;
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.url.origin}/?site=${SITE}`);
  await waitForText(page, "connection-state", "live");
  return { page, errors };
}

async function waitForText(page: Page, testid: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([id, expected]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === expected,
    [testid, text] as const,
    { timeout: STEP_TIMEOUT },
  );
}

describe("the dashboard follows its site whatever the server's sequence does", () => {
  test("after the site was forgotten while idle, the first tick of the new sequence shows the new visitor", async () => {
    script = { status: 200, snapshot: () => snapshot(T0, 14_400, { visitors: visitors(0), pages: [] }) };
    const { page, errors } = await openSite();
    try {
      await waitForText(page, "current-visitors", "0");
      const back = Date.now();
      publish(tick(back, 1, { ...emptyStats(), visitors: visitors(1), pages: [["/back", 1]] }, "/back"));
      await waitForText(page, "current-visitors", "1");
      publish(tick(back, 2, { visitors: visitors(2) }, "/next"));
      await waitForText(page, "current-visitors", "2");
      expect(await page.locator('[data-testid="feed"]').textContent()).toContain("/next");
      // No reconnect and no snapshot asked for: the first tick was a complete baseline.
      expect(upgrades).toBe(1);
      expect(commands).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("a tick of a sequence the page never joined gets it a fresh snapshot on the same socket", async () => {
    const other = Date.now();
    script = { status: 200, snapshot: () => snapshot(T0, 500, { visitors: visitors(4) }) };
    const { page, errors } = await openSite();
    try {
      await waitForText(page, "current-visitors", "4");
      script.snapshot = () => snapshot(other, 9, { visitors: visitors(7) });
      publish(tick(other, 9, { visitors: visitors(7) }));
      await waitForText(page, "current-visitors", "7");
      expect(commands).toEqual([JSON.stringify({ type: "watch", site: SITE })]);
      expect(upgrades).toBe(1);
      publish(tick(other, 10, { visitors: visitors(8) }));
      await waitForText(page, "current-visitors", "8");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("when the token stops being accepted, the page stops retrying and says so", async () => {
    script = { status: 200, snapshot: () => snapshot(T0, 1) };
    const { page } = await openSite();
    try {
      script.status = 401;
      for (const ws of sockets) ws.close(1001, "server restarting");
      // Three refused attempts (0.5 s, 1 s, 2 s apart at most), then the page asks why.
      await waitForText(page, "connection-state", "closed");
      expect(await page.locator(".badge").textContent()).toContain("the access token is no longer accepted");
      const refused = upgrades;
      expect(refused).toBeGreaterThanOrEqual(4); // the first, then three refused
      await Bun.sleep(3_000);
      expect(upgrades).toBe(refused);
    } finally {
      await page.close();
    }
  }, 30_000);
});
