import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { siteTopic } from "../../src/core/stats/hub.ts";
import type { TickFrame } from "../../src/core/wire/protocol.ts";
import { BASE, errorOf, handlerSetup as setup } from "../helpers/handler-setup.ts";
import { startTestServer, type TestServer } from "../helpers/real-server.ts";
import { eachTransport } from "../helpers/transports.ts";
import { UA } from "../helpers/user-agents.ts";

const TAB = "Ab12Cd34Ef56";
const SITE = "shop.test";

function request(path: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}${path}`, { method: "POST", body, headers: { "user-agent": UA.firefoxLinux, "content-type": "text/plain", ...headers } });
}
const signal = (s: string, extra: Record<string, unknown> = {}) => request("/api/presence", JSON.stringify({ d: SITE, u: `https://${SITE}/wines`, t: TAB, s, ...extra }));
const event = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  request("/api/event", JSON.stringify({ n: "pageview", u: `https://${SITE}/wines`, d: SITE, ...body }), headers);

function lastFrame(published: ReadonlyArray<{ topic: string; data: string }>, topic: string): TickFrame | undefined {
  const found = published.filter((p) => p.topic === topic).at(-1);
  return found ? (JSON.parse(found.data) as TickFrame) : undefined;
}

describe("POST /api/presence", () => {
  test("'here' makes the tab present on its page, 'gone' ends it; answered 202 with open CORS", async () => {
    const { handler, hub, tick } = setup();
    const response = (await handler(signal("here")))!;
    expect(response.status).toBe(202);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    await tick();
    expect(hub.presence.siteCount(SITE)).toBe(1);
    expect(hub.presence.pageCount(SITE, "/wines")).toBe(1);

    expect((await handler(signal("gone")))!.status).toBe(202);
    await tick();
    expect(hub.presence.siteCount(SITE)).toBe(0);
  });

  test("signals are neither stored, recorded as hits nor counted as events; they have counters of their own", async () => {
    const { handler, hub, tick, store, metrics } = setup();
    await handler(signal("here"));
    await tick();
    expect([...store.since(0)]).toHaveLength(0);
    expect(hub.siteCount()).toBe(0);
    expect(metrics.eventsAccepted).toBe(0);
    expect(metrics.presenceSignals).toBe(1);
    expect(metrics.tabsPresent).toBe(1);
    const text = metrics.render({ sites: 0, residentBytes: 0 });
    expect(text).toContain("pulse_presence_signals_total 1");
    expect(text).toContain("pulse_tabs_present 1");
    expect(text).toContain("pulse_events_accepted_total 0");
  });

  test.each([
    ["malformed JSON", "{nope", "body is not valid JSON"],
    ["no tab id", JSON.stringify({ d: SITE, u: `https://${SITE}/`, s: "here" }), "missing tab id (t)"],
    ["a short tab id", JSON.stringify({ d: SITE, u: `https://${SITE}/`, t: "abc", s: "here" }), "t (the tab id) must be 8 to 16 letters and digits"],
    ["a tab id with other characters", JSON.stringify({ d: SITE, u: `https://${SITE}/`, t: "abcd-efgh", s: "here" }), "t (the tab id) must be 8 to 16 letters and digits"],
    ["a signal only the server sends", JSON.stringify({ d: SITE, u: `https://${SITE}/`, t: TAB, s: "held" }), 's (the signal) must be "here" or "gone"'],
    ["no url", JSON.stringify({ d: SITE, t: TAB, s: "here" }), "missing url (url or u)"],
  ])("refuses %s with 400 and says why", async (_, body, message) => {
    const { handler, hub, tick, metrics } = setup();
    expect(await errorOf(await handler(request("/api/presence", body)))).toEqual({ status: 400, body: { error: message } });
    await tick();
    expect(hub.presence.tabCount).toBe(0);
    expect(metrics.eventsDropped.invalid).toBe(0);
  });

  test("GET is a 405 that names the signals", async () => {
    const { handler } = setup();
    expect(await errorOf(await handler(new Request(`${BASE}/api/presence`)))).toEqual({ status: 405, body: { error: "use POST to send presence signals" } });
  });

  test("bots and sites outside --sites are answered 202 and dropped, as events are", async () => {
    const { handler, hub, tick } = setup({ sites: ["other.test"] });
    const bot = (await handler(request("/api/presence", JSON.stringify({ d: "other.test", u: "https://other.test/", t: TAB, s: "here" }), { "user-agent": "Googlebot/2.1" })))!;
    expect(bot.status).toBe(202);
    expect(bot.headers.get("x-pulse-dropped")).toBe("bot");
    const notAllowed = (await handler(signal("here")))!;
    expect(notAllowed.status).toBe(202);
    expect(notAllowed.headers.get("x-pulse-dropped")).toBe("site-not-allowed");
    await tick();
    expect(hub.presence.tabCount).toBe(0);
  });

  test("shares the address's rate limit with events", async () => {
    const { handler } = setup({ rateLimit: 1 });
    expect((await handler(event({ t: TAB })))!.status).toBe(202);
    const limited = (await handler(signal("here")))!;
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
  });
});

describe("events and presence", () => {
  test("a tracker's event carries its tab: the tab is present where the event was, until its 'gone'", async () => {
    const { handler, hub, tick } = setup();
    expect((await handler(event({ t: TAB })))!.status).toBe(202);
    await tick();
    expect(hub.presence.pageCount(SITE, "/wines")).toBe(1);
    await handler(event({ t: TAB, u: `https://${SITE}/about` }));
    await tick();
    expect(hub.presence.pageCount(SITE, "/wines")).toBe(0);
    expect(hub.presence.pageCount(SITE, "/about")).toBe(1);
    await handler(signal("gone"));
    await tick();
    expect(hub.presence.siteCount(SITE)).toBe(0);
  });

  test("an event's tab id is checked: a bad one is a 400 that says why, none is fine", async () => {
    const { handler } = setup();
    expect(await errorOf(await handler(event({ t: "no!" })))).toEqual({ status: 400, body: { error: "t (the tab id) must be 8 to 16 letters and digits" } });
    expect((await handler(event({})))!.status).toBe(202);
  });

  test("Plausible's pageviews, without a tab id, keep the visitor present on the page", async () => {
    const { handler, hub, tick } = setup();
    await handler(event({}));
    await handler(event({ n: "engagement" }));
    await tick();
    expect(hub.presence.pageCount(SITE, "/wines")).toBe(1);
  });

  test("'on the site now' reaches the site's dashboard frame; a change of presence alone publishes one frame", async () => {
    const { handler, tick, published } = setup();
    await handler(event({ t: TAB }));
    // Another visitor (another browser): each page has a visitor now.
    await handler(event({ t: "Zz98Yy76Xx54", u: `https://${SITE}/about` }, { "user-agent": UA.chromeWindows }));
    await tick();
    const first = lastFrame(published, siteTopic(SITE))!;
    expect(first.changed.present).toBe(2);
    expect(first.changed.pages).toEqual(expect.arrayContaining([["/wines", 1, 1], ["/about", 1, 1]]));

    const before = published.length;
    await handler(signal("gone"));
    await handler(signal("here", { u: `https://${SITE}/wines` }));
    await handler(request("/api/presence", JSON.stringify({ d: SITE, u: `https://${SITE}/about`, t: "Zz98Yy76Xx54", s: "gone" })));
    await tick();
    const frames = published.slice(before).filter((p) => p.topic === siteTopic(SITE));
    expect(frames).toHaveLength(1);
    const second = JSON.parse(frames[0]!.data) as TickFrame;
    expect(second.changed.present).toBe(1);
    expect(second.changed.pages).toEqual(expect.arrayContaining([["/wines", 1, 1], ["/about", 1]]));
  });
});

describe("signals the server makes", () => {
  test("a held tab, announced over the bus, is present until released, and never stored", async () => {
    const { announce, hub, tick, store } = setup();
    const time = Date.now();
    announce({ time, site: SITE, tab: TAB, page: "/wines", state: "held" });
    expect(hub.presence.siteCount(SITE)).toBe(0);
    await tick();
    expect(hub.presence.pageCount(SITE, "/wines")).toBe(1);
    announce({ time: time + 1, site: SITE, tab: TAB, page: "/wines", state: "released" });
    await tick();
    expect(hub.presence.siteCount(SITE)).toBe(0);
    expect([...store.since(0)]).toHaveLength(0);
  });
});

eachTransport("POST /api/presence over a real port, on %s", (_, runtime) => {
  const TOKEN = "presence-route-token-0123";
  let server: TestServer["server"];
  let base: string;
  beforeAll(async () => ({ server, base } = await startTestServer(TOKEN, 50, runtime)));
  afterAll(() => server.stop());

  test("202 for a signal, and /metrics shows the tab present", async () => {
    const response = await fetch(`${base}/api/presence`, {
      method: "POST",
      headers: { "content-type": "text/plain", "user-agent": UA.chromeWindows },
      body: JSON.stringify({ d: SITE, u: `https://${SITE}/`, t: TAB, s: "here" }),
    });
    expect(response.status).toBe(202);
    const metrics = async () => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const deadline = Date.now() + 3000;
    let text = await metrics();
    while (!text.includes("pulse_tabs_present 1") && Date.now() < deadline) {
      await Bun.sleep(50);
      text = await metrics();
    }
    expect(text).toContain("pulse_tabs_present 1");
    const bad = await fetch(`${base}/api/presence`, { method: "POST", body: JSON.stringify({ d: SITE, u: `https://${SITE}/`, s: "here" }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("missing tab id (t)");
  });
});
