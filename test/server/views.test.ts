import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/real-server.ts";
import { eachTransport } from "../helpers/transports.ts";
import type { ServerFrame, SnapshotFrame, TickFrame } from "../../src/core/wire/protocol.ts";
import { openDashboard, type TestDashboard } from "../helpers/dashboard-client.ts";
import { UA } from "../helpers/user-agents.ts";
import { MAX_VIEWS_PER_SITE } from "../../src/core/stats/site-views.ts";

const TICK_MS = 100;
const TOKEN = "test-token-0123456789";
let server: TestServer["server"];
let base: string;
let wsBase: string;


function sendPageview(site: string, path: string, timeZone: string, ua: string) {
  return fetch(`${base}/api/event`, {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": ua },
    body: JSON.stringify({ n: "pageview", u: `https://${site}${path}`, d: site, tz: timeZone }),
  });
}

const dashboard = (query: string) => openDashboard(`${wsBase}/ws?${query}`, base, TOKEN);
const isTick = (frame: ServerFrame): frame is TickFrame => frame.type === "tick";
const withPath = (path: string) => (frame: ServerFrame): frame is TickFrame => isTick(frame) && frame.feed.some((item) => item.p === path);
/** The raw tick frames of a dashboard by seq. */
const ticksBySeq = (client: TestDashboard) =>
  new Map(client.raw.filter((raw) => raw.startsWith('{"type":"tick"')).map((raw) => [(JSON.parse(raw) as TickFrame).seq, raw]));

/** A refused upgrade's status and reason. */
async function refusal(query: string): Promise<{ status: number; error: string }> {
  const response = await fetch(`${base}/ws?${query}`, {
    headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", origin: base, authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    ({ server, base, wsBase } = await startTestServer(TOKEN, TICK_MS, runtime));
  });
  afterAll(() => server.stop());

  describe("filtered views over a real port", () => {
    test("dashboards with the same filters in any order get byte-identical frames; other filters get others; the whole site is unchanged", async () => {
      const a = await dashboard("site=views.test&page=/pricing&country=FR");
      const b = await dashboard("country=fr&site=views.test&page=%2Fpricing");
      const germany = await dashboard("site=views.test&country=DE");
      const whole = await dashboard("site=views.test");
      for (const client of [a, b]) {
        const snapshot = (await client.waitFor((frame) => frame.type === "snapshot")) as SnapshotFrame;
        expect(snapshot.filters).toEqual({ country: "FR", page: "/pricing" });
      }
      expect(await sendPageview("views.test", "/pricing", "Europe/Paris", UA.chromeWindows).then((r) => r.status)).toBe(202);
      expect(await sendPageview("views.test", "/pricing", "Europe/Berlin", UA.firefoxLinux).then((r) => r.status)).toBe(202);
      expect(await sendPageview("views.test", "/", "Europe/Paris", UA.safariIphone).then((r) => r.status)).toBe(202);

      const fromA = await a.waitFor(withPath("/pricing"));
      await b.waitFor(withPath("/pricing"));
      expect(fromA.filters).toEqual({ country: "FR", page: "/pricing" });
      expect(fromA.feed.map((item) => [item.p, item.c])).toEqual([["/pricing", "FR"]]);
      expect(fromA.changed.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
      const ticksA = ticksBySeq(a);
      const ticksB = ticksBySeq(b);
      expect(ticksA.size).toBeGreaterThan(0);
      expect(ticksB.get(fromA.seq)).toBe(ticksA.get(fromA.seq));

      const fromGermany = await germany.waitFor(withPath("/pricing"));
      expect(fromGermany.filters).toEqual({ country: "DE" });
      expect(fromGermany.feed.map((item) => [item.p, item.c])).toEqual([["/pricing", "DE"]]);

      await whole.waitFor((frame) => isTick(frame) && frame.changed.visitors?.last5m === 3);
      for (const raw of whole.raw) expect(raw).not.toContain('"filters"');
      for (const client of [a, b, germany, whole]) client.socket.close();
    });

    test("a bad filter in the URL gets 400 with the reason", async () => {
      expect(await refusal("site=views.test&page=")).toEqual({ status: 400, error: "filter page is empty" });
      expect(await refusal(`site=views.test&page=/${"x".repeat(120)}`)).toEqual({ status: 400, error: "filter page is over 100 characters" });
      expect(await refusal("site=views.test&os=Linux&os=iOS")).toEqual({ status: 400, error: "filter os is given twice: one value per dimension" });
      expect(await refusal("page=/pricing")).toEqual({ status: 400, error: "filters need a site: /ws?site=<domain>&<filter>=<value>" });
    });

    test("the watch command switches to a view; a bad filter closes the socket with 1008 and the reason", async () => {
      const client = await dashboard("site=views.test");
      client.socket.send(JSON.stringify({ type: "watch", site: "views.test", filters: { device: "Desktop" } }));
      const snapshot = (await client.waitFor((frame) => frame.type === "snapshot" && frame.filters !== undefined)) as SnapshotFrame;
      expect(snapshot.filters).toEqual({ device: "Desktop" });
      client.socket.send(JSON.stringify({ type: "watch", site: "views.test", filters: { campaign: "spring" } }));
      const closed = await client.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toStartWith('unknown filter "campaign"');
    });

    test("past the views a site may have, a new filter set closes with 1013 and the reason", async () => {
      const open = await Promise.all(Array.from({ length: MAX_VIEWS_PER_SITE }, (_, i) => dashboard(`site=cap.test&page=/p${i}`)));
      for (const client of open) await client.waitFor((frame) => frame.type === "snapshot");
      const refused = await dashboard("site=cap.test&page=/one-more");
      expect(await refused.closed).toEqual({ code: 1013, reason: `cap.test already has ${MAX_VIEWS_PER_SITE} views open (filter sets and windows): try again later, or watch the whole site` });
      expect(refused.frames).toEqual([]);
      // A view already open still opens.
      const again = await dashboard("site=cap.test&page=/p0");
      expect((await again.waitFor((frame) => frame.type === "snapshot")).type).toBe("snapshot");
      for (const client of [...open, again]) client.socket.close();
    });
  });
});
