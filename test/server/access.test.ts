import { describe, expect, test } from "bun:test";
import { BASE, bearer, errorOf, handlerSetup, TOKEN } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const get = (path: string, headers: Record<string, string> = {}) => new Request(`${BASE}${path}`, { headers });

/** Signs in with `?token=` as a browser does; the session cookie it got, as a Cookie header. */
async function signIn(handler: ReturnType<typeof handlerSetup>["handler"], token = TOKEN): Promise<{ cookie: string }> {
  const response = (await handler(get(`/?token=${encodeURIComponent(token)}`)))!;
  expect(response.status).toBe(303);
  return { cookie: response.headers.getSetCookie()[0]!.split(";")[0]! };
}

describe("the dashboard page", () => {
  test("without the token: 401 and a page that asks for it, keeping the site", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get("/?site=shop.test")))!;
    expect(response.status).toBe(401);
    const page = await response.text();
    expect(page).toContain("needs its access token");
    expect(page).toContain('name="site" value="shop.test"');
    // Asks for it: a form that posts the token, hidden as it is typed, to the sign-in route.
    expect(page).toContain('<form method="post" action="/sign-in">');
    expect(page).toContain('<input name="token" type="password"');
  });

  test("?token= is traded for an HttpOnly, SameSite=Strict session cookie and removed from the address", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get(`/?site=shop.test&token=${TOKEN}`)))!;
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/?site=shop.test");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const setCookie = response.headers.getSetCookie()[0]!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain("Secure");
    // The cookie is not the token, in any spelling.
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(TOKEN));
    const withCookie = (await handler(get("/?site=shop.test", { cookie: setCookie.split(";")[0]! })))!;
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toBe("<h1>Pulse</h1>");
  });

  test("the cookie is Secure over HTTPS, and behind --trust-proxy when the proxy says https", async () => {
    const https = (await handlerSetup().handler(new Request(`https://localhost/?token=${TOKEN}`)))!;
    expect(https.headers.getSetCookie()[0]).toContain("; Secure");
    const proxied = get(`/?token=${TOKEN}`, { "x-forwarded-proto": "https" });
    expect((await handlerSetup({ trustProxy: true }).handler(proxied))!.headers.getSetCookie()[0]).toContain("; Secure");
    expect((await handlerSetup().handler(proxied))!.headers.getSetCookie()[0]).not.toContain("Secure");
  });

  test("a cookie issued under one token is refused once the token has changed", async () => {
    const cookie = await signIn(handlerSetup().handler);
    const changed = handlerSetup({ token: "another-token-0123456789" }).handler;
    expect((await changed(get("/", cookie)))!.status).toBe(401);
    expect((await changed(get("/api/export?site=shop.test", cookie)))!.status).toBe(401);
    // The token itself in the cookie (what earlier versions set) opens nothing either.
    expect((await handlerSetup().handler(get("/", { cookie: `pulse_token=${TOKEN}` })))!.status).toBe(401);
    expect((await handlerSetup().handler(get("/", { cookie: `pulse_session=${TOKEN}` })))!.status).toBe(401);
  });

  test("the dashboard and the sign-in page forbid framing, inline scripts, sniffing and referrers", async () => {
    const { handler } = handlerSetup();
    const dashboard = (await handler(get("/", await signIn(handler))))!;
    const signInPage = (await handler(get("/")))!;
    for (const response of [dashboard, signInPage]) {
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(dashboard.headers.get("referrer-policy")).toBe("no-referrer");
    // The origin alone, so that its form's POST carries an Origin (see sign-in.test.ts).
    expect(signInPage.headers.get("referrer-policy")).toBe("strict-origin");
  });

  test("other answers are not sniffed; the tracker stays loadable from any site", async () => {
    const { handler } = handlerSetup();
    for (const path of ["/js/script.js", "/nowhere", "/api/export?site=shop.test"]) {
      expect((await handler(get(path)))!.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const tracker = (await handler(get("/js/script.js")))!;
    expect(tracker.status).toBe(200);
    expect(tracker.headers.get("content-security-policy")).toBeNull();
    expect(tracker.headers.get("cross-origin-resource-policy")).toBeNull();
  });

  test("a wrong token is refused", async () => {
    const { handler } = handlerSetup();
    const response = (await handler(get("/?token=not-the-token-at-all")))!;
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  test("each load of the dashboard renews the session; a public dashboard's visitor gets none", async () => {
    const { handler } = handlerSetup({ publicSites: ["blog.test"] });
    const cookie = await signIn(handler);
    const renewed = (await handler(get("/?site=shop.test", cookie)))!.headers.getSetCookie()[0]!;
    expect(renewed).toStartWith("pulse_session=");
    expect(renewed.split(";")[0]).not.toBe(cookie.cookie);
    expect((await handler(get("/?site=blog.test")))!.headers.getSetCookie()).toEqual([]);
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
    const cookie = await signIn(handler);
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
    const cookie = await signIn(handler);
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
