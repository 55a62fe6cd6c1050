/**
 * GET /live over a real port: who may open a widget, the limits, the close codes, and the counts
 * its sockets get. The counts are those of the tabs widget sockets hold (the process's presence).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { startSingleProcess } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { upgradeStatus } from "../helpers/dashboard-client.ts";

const INTERVAL_MS = 400;
const SITE = "shop.test";
const ORIGIN = "https://www.shop.test";

const server = startSingleProcess(
  parseConfig(
    ["--port", "0", "--host", "127.0.0.1", "--tick-ms", "50", "--live-interval", String(INTERVAL_MS / 1000), "--live-site", SITE, "--live-site", "other.test", "--max-widgets-per-ip", "6", "--allow-origin", "https://partner.example"],
    {},
  ),
  { files: {}, store: createMemoryStore(), token: "live-widget-test-token-01", openFiles: null },
);
afterAll(() => server.stop());
const base = `http://127.0.0.1:${server.port}`;
const wsBase = `ws://127.0.0.1:${server.port}`;

const BunWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

interface Widget {
  socket: WebSocket;
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the last frame is `frame`. */
  until(frame: string, timeoutMs?: number): Promise<void>;
}

function openWidget(query: string, origin = ORIGIN): Promise<Widget> {
  const socket = new BunWebSocket(`${wsBase}/live?${query}`, { headers: { Origin: origin } });
  const frames: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })));
  socket.addEventListener("message", (event) => frames.push(String(event.data)));
  const until = async (frame: string, timeoutMs = 3000) => {
    const end = Date.now() + timeoutMs;
    while (frames.at(-1) !== frame) {
      if (Date.now() > end) throw new Error(`last frame ${frames.at(-1)} (of ${JSON.stringify(frames)}), not ${frame}`);
      await Bun.sleep(10);
    }
  };
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve({ socket, frames, closed, until }));
    socket.addEventListener("error", () => reject(new Error(`could not open /live?${query}`)));
  });
}

/** A refused upgrade's status and error, as a raw request sees them (WebSocket clients hide both). */
async function refusal(query: string, origin: string | null = ORIGIN, method = "GET"): Promise<{ status: number; error: string }> {
  const response = await fetch(`${base}/live?${query}`, {
    method,
    headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", ...(origin ? { origin } : {}) },
  });
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error };
}

const closeAll = async (widgets: Widget[]) => {
  for (const widget of widgets) widget.socket.close();
  await Promise.all(widgets.map((widget) => widget.closed));
};

describe("GET /live: access", () => {
  test("a site without --live-site is refused 403", async () => {
    expect(await refusal("site=elsewhere.test&page=/", "https://elsewhere.test")).toEqual({ status: 403, error: "live widget not enabled for this site" });
  });

  test("an origin that is not the site's own, nor allowed, is refused 403; a missing one too", async () => {
    for (const origin of ["https://evil.test", "https://shop.test.evil.test", "https://notshop.test", "null", null]) {
      const { status, error } = await refusal(`site=${SITE}&page=/`, origin);
      expect([origin, status, error]).toEqual([origin, 403, expect.stringContaining("origin not allowed") as unknown as string]);
    }
  });

  test("the site's domain and subdomains, over http or https on any port, and an --allow-origin open a widget", async () => {
    const widgets = [];
    for (const origin of ["https://shop.test", "http://shop.test:8080", "https://a.b.shop.test", "https://partner.example"]) widgets.push(await openWidget(`site=${SITE}&page=/`, origin));
    expect(widgets).toHaveLength(4);
    await closeAll(widgets);
  });

  test("bad parameters are refused 400 with the reason", async () => {
    const cases: Array<[string, string]> = [
      ["page=/", "site is required"],
      ["site=not a site&page=/", "site is required"],
      [`site=${SITE}&page=wines`, "page must be a path"],
      [`site=${SITE}&page=//evil.test/`, "page must be a path"],
      [`site=${SITE}&page=/${"x".repeat(2001)}`, "page must be a path"],
      [`site=${SITE}&page=/&scope=all`, "scope must be page, site or both"],
      [`site=${SITE}&scope=page`, "scope page needs a page"],
      [`site=${SITE}&page=/&tab=short`, "tab must be 8 to 16 letters and digits"],
      [`site=${SITE}&page=/&tab=has-a-dash-in-it`, "tab must be 8 to 16 letters and digits"],
    ];
    for (const [query, reason] of cases) {
      const { status, error } = await refusal(query);
      expect([query, status]).toEqual([query, 400]);
      expect(error).toContain(reason);
    }
  });

  test("POST is refused 405; a plain GET without the upgrade 426", async () => {
    expect((await refusal(`site=${SITE}&page=/`, ORIGIN, "POST")).status).toBe(405);
    const plain = await fetch(`${base}/live?site=${SITE}&page=/`, { headers: { origin: ORIGIN } });
    expect(plain.status).toBe(426);
  });

  test("past --max-widgets-per-ip from one address: 429, and a place again once one closes", async () => {
    const widgets = [];
    for (let i = 0; i < 6; i++) widgets.push(await openWidget(`site=${SITE}&page=/limit`));
    expect(await refusal(`site=${SITE}&page=/limit`)).toEqual({ status: 429, error: "more than 6 live widgets from one address" });
    widgets[0]!.socket.close();
    await widgets[0]!.closed;
    await Bun.sleep(50);
    widgets[0] = await openWidget(`site=${SITE}&page=/limit`);
    await closeAll(widgets);
  });

  test("dashboards keep their own rule: the site's origin may not open /ws", async () => {
    expect(await upgradeStatus(`${base}/ws?site=${SITE}`, { origin: ORIGIN })).toBe(403);
  });
});

describe("GET /live: counts", () => {
  test("three widgets on a page: each gets the count at once, then one frame per interval when it changed, and none when it did not", async () => {
    const first = await openWidget(`site=${SITE}&page=/wines&tab=tabFirst01`);
    await first.until("p1");
    const second = await openWidget(`site=${SITE}&page=/wines`);
    const third = await openWidget(`site=${SITE}&page=/wines`);
    await third.until("p3");
    await first.until("p3");
    await second.until("p3");
    // Published once for the three: the first saw 1, then 3, never 2 (both opened within one interval).
    expect(first.frames).toEqual(["p1", "p3"]);
    const arrivals: number[] = [];
    first.socket.addEventListener("message", () => arrivals.push(Date.now()));
    third.socket.close();
    await first.until("p2");
    await second.until("p2");
    // A tab that leaves and one that comes within an interval: the count is the same, no frame.
    const quiet = first.frames.length;
    second.socket.close();
    const again = await openWidget(`site=${SITE}&page=/wines`);
    await again.until("p2");
    await Bun.sleep(3 * INTERVAL_MS);
    expect(first.frames.length).toBe(quiet);
    // Two changes a few milliseconds apart reach the others at least an interval apart.
    again.socket.close();
    await first.until("p1");
    const opened = await openWidget(`site=${SITE}&page=/wines`);
    await first.until("p2");
    expect(arrivals.at(-1)! - arrivals.at(-2)!).toBeGreaterThanOrEqual(INTERVAL_MS - 60);
    await closeAll([first, opened]);
  });

  test("a whole-site widget counts the site's tabs on every page; scope both gets both", async () => {
    const site = await openWidget(`site=other.test&page=/a&scope=site`, "https://other.test");
    await site.until("s1");
    const both = await openWidget(`site=other.test&page=/b&scope=both`, "https://other.test");
    await both.until("s2");
    expect(both.frames).toEqual(["p1", "s2"]);
    await site.until("s2");
    const page = await openWidget(`site=other.test&page=/b`, "https://other.test");
    await both.until("p2");
    await site.until("s3");
    expect(both.frames.filter((frame) => frame.startsWith("s")).at(-1)).toBe("s3");
    await closeAll([site, both, page]);
  });

  test("/metrics counts the open widgets and the refused ones", async () => {
    const metric = async (name: string) => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: "Bearer live-widget-test-token-01" } })).text();
      return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
    };
    const rejected = await metric("pulse_widgets_rejected_total");
    await refusal("site=elsewhere.test&page=/", "https://elsewhere.test");
    expect(await metric("pulse_widgets_rejected_total")).toBe(rejected + 1);
    const widgets = [await openWidget(`site=${SITE}&page=/m`), await openWidget(`site=${SITE}&page=/m`)];
    expect(await metric("pulse_widgets_connected")).toBe(2);
    await closeAll(widgets);
    await Bun.sleep(50);
    expect(await metric("pulse_widgets_connected")).toBe(0);
  });

  test("a widget that sends anything is closed 1008; one that sends over 1 KiB, 1009", async () => {
    const text = await openWidget(`site=${SITE}&page=/talk`);
    text.socket.send("hello");
    expect((await text.closed).code).toBe(1008);
    const big = await openWidget(`site=${SITE}&page=/talk`);
    big.socket.send(new Uint8Array(4096));
    expect((await big.closed).code).toBe(1009);
    // Their tabs were released: a new widget on the page is alone.
    const alone = await openWidget(`site=${SITE}&page=/talk`);
    await alone.until("p1");
    await closeAll([alone]);
  });
});
