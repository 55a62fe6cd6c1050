/**
 * A dashboard that stops reading is dropped once its queue passes the backpressure limit, and the
 * others are unaffected. The stalled socket asks for the few snapshots its commands allow, then
 * heavy traffic keeps every tick's frame near its budget until its queue overflows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ServerFrame, TickFrame } from "../../src/core/wire/protocol.ts";
import { eachTransport } from "../helpers/transports.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { openStalledSocket } from "../../src/loadtest/stalled-socket.ts";
import { UA } from "../helpers/user-agents.ts";

let server: ServerProcess;

async function metric(name: string): Promise<number> {
  const response = await fetch(new URL("/metrics", server.url), { headers: { authorization: `Bearer ${server.token}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}

function pageview(path: string, props?: Record<string, string>) {
  return fetch(new URL("/api/event", server.url), {
    method: "POST",
    headers: { "user-agent": UA.chromeWindows },
    body: JSON.stringify({ n: props ? "Signup" : "pageview", u: `https://stall.test${path}`, p: props }),
  });
}

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    server = await startServer({ runtime, args: ["--tick-ms", "100"] });
  });
  afterAll(() => server?.stop());

  describe("backpressure", () => {
    test("a dashboard that stops reading is closed; a live one on the same site keeps receiving", async () => {
      // Make the site's snapshot large: many feed items with long paths and props.
      for (let i = 0; i < 60; i++) {
        await pageview(`/${"long-path-segment-".repeat(5)}${i}`, { plan: "x".repeat(55), seat: "y".repeat(55), i: String(i) });
      }
      await Bun.sleep(300);
      const live = await server.dashboard("stall.test");
      const origin = server.url.replace(/\/$/, "");
      const stalled = await openStalledSocket(new URL(`/ws?site=stall.test`, server.url), {
        Origin: origin,
        Authorization: `Bearer ${server.token}`,
      });
      const rssBefore = await metric("process_resident_memory_bytes");
      expect(await metric("pulse_dashboards_connected")).toBe(2);

      // Each command makes the server queue one snapshot (about 10 KB) for a socket that never reads;
      // a socket may send 5 at once.
      const watch = JSON.stringify({ type: "watch", site: "stall.test" });
      for (let i = 0; i < 5; i++) stalled.sendText(watch);
      // Then each tick queues a frame of up to 15 KiB.
      const deadline = Date.now() + 15_000;
      for (let round = 0; Date.now() < deadline && (await metric("pulse_dashboards_abnormal_closes_total")) === 0; round++) {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => pageview(`/${"flood-path-segment-".repeat(5)}${round}-${i}`, { plan: "x".repeat(55), i: String(i) })),
        );
      }
      expect(await metric("pulse_dashboards_abnormal_closes_total")).toBe(1);
      expect(await metric("pulse_dashboards_connected")).toBe(1);
      await stalled.closed;
      stalled.destroy();

      // The live dashboard is still served, and promptly.
      expect((await pageview("/after-the-stall")).status).toBe(202);
      const frame = (await live.waitFor(
        (f: ServerFrame) => f.type === "tick" && f.feed.some((item) => item.p === "/after-the-stall"),
      )) as TickFrame;
      expect(frame.site).toBe("stall.test");
      await Bun.sleep(150);
      expect(await metric("pulse_dashboards_connected")).toBe(1);
      const rssAfter = await metric("process_resident_memory_bytes");
      console.log(`backpressure: server RSS ${(rssBefore / 2 ** 20).toFixed(1)} MB before, ${(rssAfter / 2 ** 20).toFixed(1)} MB after`);
      // The stalled socket's queue is bounded by the close above (64 KiB); RSS only guards against
      // runaway growth. What it grows by is the flood's garbage: 20-37 MB on Bun, 23-66 MB on Node,
      // whose heap grows before it collects (one CI run: 65.8 MB).
      expect(rssAfter - rssBefore).toBeLessThan(160 * 2 ** 20);
      live.socket.close();
    }, 30_000);
  });
});
