import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import type { RewindFrame, ServerFrame, SnapshotFrame, TickFrame } from "../../src/core/wire/protocol.ts";
import { WINDOW_ERROR } from "../../src/core/wire/view-filters.ts";
import { openDashboard } from "../helpers/dashboard-client.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { UA } from "../helpers/user-agents.ts";

const TOKEN = "test-token-0123456789";
const SITE = "window.test";
const MINUTE = 60_000;
let server: RunningServer;
let base: string;
let wsBase: string;
const started = Date.now();

beforeAll(() => {
  // Stored before the start, so the server rebuilds them: three visitors 12 minutes ago on /old, one 3 minutes ago on /three.
  const store = createMemoryStore();
  const at = (visitor: number, time: number, path: string) =>
    storedEvent({ site: SITE, visitor, time, path, url: `https://${SITE}${path}`, source: "Direct / None", referrer: "" });
  store.append([
    at(1, started - 12 * MINUTE, "/old"),
    at(2, started - 12 * MINUTE + 1, "/old"),
    at(3, started - 12 * MINUTE + 2, "/old"),
    at(4, started - 3 * MINUTE, "/three"),
  ]);
  server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", "100"], {}), {
    files: { "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" } },
    store,
    token: TOKEN,
  });
  base = `http://127.0.0.1:${server.port}`;
  wsBase = `ws://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop());

const dashboard = (query: string) => openDashboard(`${wsBase}/ws?${query}`, base, TOKEN);
const snapshotOf = async (query: string) => {
  const client = await dashboard(query);
  return { client, snapshot: (await client.waitFor((frame) => frame.type === "snapshot")) as SnapshotFrame };
};
const sendPageview = (path: string) =>
  fetch(`${base}/api/event`, {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": UA.firefoxLinux },
    body: JSON.stringify({ n: "pageview", u: `https://${SITE}${path}`, d: SITE, tz: "Europe/Paris" }),
  });
const isRewind = (frame: ServerFrame) => (frame as { type: string }).type === "rewind";

describe("windows and rewind over a real port", () => {
  test("/ws?window=1 gets its view over one minute, frames naming the window; the whole site's are unchanged", async () => {
    const one = await snapshotOf(`site=${SITE}&window=1`);
    const thirty = await snapshotOf(`site=${SITE}`);
    expect(one.snapshot).toMatchObject({ type: "snapshot", site: SITE, window: 1 });
    expect(one.snapshot.stats.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
    expect(one.snapshot.stats.pageviews).toBe(0);
    expect(thirty.snapshot.stats.visitors).toEqual({ last5m: 1, last30m: 4, capped: false });
    expect(thirty.snapshot.stats.pageviews).toBe(4);
    expect("window" in thirty.snapshot).toBe(false);

    expect((await sendPageview("/live")).status).toBe(202);
    const tick = (await one.client.waitFor((frame) => frame.type === "tick" && frame.feed.some((item) => item.p === "/live"))) as TickFrame;
    expect(tick.window).toBe(1);
    expect(tick.changed.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    // The pageview also keeps its visitor present on the page (docs/protocol.md, "Presence").
    expect(tick.changed.pages).toEqual([["/live", 1, 1]]);
    const whole = (await thirty.client.waitFor((frame) => frame.type === "tick" && frame.feed.some((item) => item.p === "/live"))) as TickFrame;
    expect(whole.changed.visitors).toEqual({ last5m: 2, last30m: 5, capped: false });
    for (const raw of thirty.client.raw) expect(raw).not.toContain('"window"');
    for (const client of [one.client, thirty.client]) client.socket.close();
  });

  test("a window that is not 1, 5 or 30 is refused with 400 and the reason", async () => {
    const refusal = async (query: string) => {
      const response = await fetch(`${base}/ws?${query}`, {
        headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", origin: base, authorization: `Bearer ${TOKEN}` },
      });
      return { status: response.status, error: ((await response.json()) as { error: string }).error };
    };
    expect(await refusal(`site=${SITE}&window=2`)).toEqual({ status: 400, error: WINDOW_ERROR });
    expect(await refusal(`site=${SITE}&window=`)).toEqual({ status: 400, error: WINDOW_ERROR });
    expect(await refusal("window=5")).toEqual({ status: 400, error: "a window needs a site: /ws?site=<domain>&window=<minutes>" });
  });

  test("a rewind ten minutes back answers the asking socket alone with the figures of then", async () => {
    const asking = await snapshotOf(`site=${SITE}`);
    const other = await snapshotOf(`site=${SITE}`);
    const at = Date.now() - 10 * MINUTE;
    asking.client.socket.send(JSON.stringify({ type: "rewind", at }));
    const frame = (await asking.client.waitFor(isRewind)) as unknown as RewindFrame;
    expect(frame).toMatchObject({ type: "rewind", site: SITE, at, from: started - 12 * MINUTE });
    expect(frame.stats.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
    expect(frame.stats.pages).toEqual([["/old", 3]]);
    expect(frame.feed.map((item) => item.p)).toEqual(["/old", "/old", "/old"]);
    for (const item of frame.feed) expect(item.t).toBeLessThanOrEqual(at);
    // Another pageview shows the other socket's ticks go on: by then a rewind would have reached it.
    expect((await sendPageview("/after")).status).toBe(202);
    await other.client.waitFor((f) => f.type === "tick" && f.feed.some((item) => item.p === "/after"));
    expect(other.client.frames.filter(isRewind)).toEqual([]);
    expect(asking.client.frames.filter(isRewind)).toHaveLength(1);

    asking.client.socket.send(JSON.stringify({ type: "rewind", at: "ten minutes ago" }));
    expect(await asking.client.closed).toEqual({ code: 1008, reason: "unknown command" });
    other.client.socket.close();
  });

  test("/metrics counts the views open and the rewinds answered", async () => {
    const metric = async (name: string) => {
      const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    };
    const rewindsBefore = await metric("pulse_rewinds_total");
    const five = await snapshotOf(`site=${SITE}&window=5&page=%2Fold`);
    five.client.socket.send(JSON.stringify({ type: "rewind", at: Date.now() - MINUTE }));
    await five.client.waitFor(isRewind);
    // The gauge is read at a tick: wait for one past the view's opening.
    await Bun.sleep(250);
    expect(await metric("pulse_views_open")).toBeGreaterThanOrEqual(1);
    expect(await metric("pulse_rewinds_total")).toBe(rewindsBefore + 1);
    five.client.socket.close();
  });

  test("on the site list's socket a rewind closes it with 1008", async () => {
    const list = await dashboard("");
    await list.waitFor((frame) => frame.type === "sites");
    list.socket.send(JSON.stringify({ type: "rewind", at: Date.now() }));
    expect(await list.closed).toEqual({ code: 1008, reason: "rewind needs a site: watch one first" });
  });
});
