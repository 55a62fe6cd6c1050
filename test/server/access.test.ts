import { describe, expect, test } from "bun:test";
import { TOKEN_COOKIE } from "../../src/core/access.ts";
import { BASE, bearer, errorOf, handlerSetup, TOKEN } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const get = (path: string, headers: Record<string, string> = {}) => new Request(`${BASE}${path}`, { headers });
const cookie = { cookie: `${TOKEN_COOKIE}=${encodeURIComponent(TOKEN)}` };

describe("the dashboard page", () => {
  test("without the token: 401 and a page that asks for it, keeping the site", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get("/?site=shop.test")))!;
    expect(response.status).toBe(401);
    const page = await response.text();
    expect(page).toContain("needs its access token");
    expect(page).toContain('name="site" value="shop.test"');
    expect(page).not.toBe("<h1>Pulse</h1>"); // the dashboard itself
  });

  test("?token= is traded for an HttpOnly, SameSite=Strict cookie and removed from the address", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get(`/?site=shop.test&token=${TOKEN}`)))!;
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/?site=shop.test");
    const setCookie = response.headers.get("set-cookie")!;
    expect(setCookie).toStartWith(`${TOKEN_COOKIE}=`);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    const withCookie = (await handler(get("/?site=shop.test", { cookie: setCookie.split(";")[0]! })))!;
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toBe("<h1>Pulse</h1>");
  });

  test("a wrong token is refused", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get("/?token=not-the-token-at-all")))!;
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  test("a public site's dashboard opens without the token; the site list does not", async () => {
    const { handler } = handlerSetup({ publicSites: ["blog.test"] });
    expect((await handler(get("/?site=blog.test")))!.status).toBe(200);
    expect((await handler(get("/?site=shop.test")))!.status).toBe(401);
    expect((await handler(get("/")))!.status).toBe(401);
  });
});

describe("the data routes", () => {
  test("export, realtime and metrics need the token (Bearer or cookie); ingest does not", async () => {
    const { handler } = handlerSetup();
    for (const path of ["/api/export?site=shop.test", "/api/realtime?site=shop.test", "/metrics"]) {
      expect(await errorOf(await handler(get(path)))).toEqual({
        status: 401,
        body: { error: "this needs the access token: Authorization: Bearer <token>" },
      });
      expect((await handler(get(path, bearer)))!.status).toBe(200);
      expect((await handler(get(path, cookie)))!.status).toBe(200);
      expect((await handler(get(path, { authorization: "Bearer wrong-token-0123456789" })))!.status).toBe(401);
    }
    const ingest = new Request(`${BASE}/api/event`, {
      method: "POST",
      headers: { "user-agent": UA.firefoxLinux },
      body: JSON.stringify({ n: "pageview", u: "https://shop.test/" }),
    });
    expect((await handler(ingest))!.status).toBe(202);
  });

  test("a public site's realtime figures are readable by anyone; its export is not", async () => {
    const { handler } = handlerSetup({ publicSites: ["blog.test"] });
    const realtime = (await handler(get("/api/realtime?site=blog.test")))!;
    expect(realtime.status).toBe(200);
    expect(await realtime.json()).toMatchObject({ site: "blog.test", stats: { visitors: { last5m: 0 } } });
    expect((await handler(get("/api/export?site=blog.test")))!.status).toBe(401);
  });

  test("--metrics-public opens /metrics, in Prometheus text format", async () => {
    const { handler } = handlerSetup({ metricsPublic: true });
    const response = (await handler(get("/metrics")))!;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    expect(text).toContain("# TYPE pulse_events_accepted_total counter");
    expect(text).toContain('pulse_events_dropped_total{reason="bot"} 0');
  });
});

describe("dashboard sockets", () => {
  const ws = (path: string, headers: Record<string, string> = {}) => get(path, { origin: BASE, ...headers });

  test("a private site or the site list needs the token; a public site does not", async () => {
    const { handler, upgrades } = handlerSetup({ publicSites: ["blog.test"] });
    expect((await handler(ws("/ws?site=shop.test")))!.status).toBe(401);
    expect((await handler(ws("/ws")))!.status).toBe(401);
    expect(await handler(ws("/ws?site=blog.test"))).toBeUndefined();
    expect(await handler(ws("/ws?site=shop.test", cookie))).toBeUndefined();
    expect(upgrades).toEqual([
      { site: "blog.test", authorized: false },
      { site: "shop.test", authorized: true },
    ]);
  });
});
