import { describe, expect, test } from "bun:test";
import { BASE, bearer, errorOf, handlerSetup as setup } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request(`${BASE}/api/event`, { method: "POST", body, headers: { "user-agent": UA.firefoxLinux, ...headers } });
const pageview = JSON.stringify({ n: "pageview", u: "https://shop.test/", d: "shop.test" });

describe("POST /api/event", () => {
  test("accepts a pageview with 202 and open CORS", async () => {
    const { handler, hub, tick } = setup();
    const response = (await handler(post(pageview, { "content-type": "text/plain" })))!;
    expect(response.status).toBe(202);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    await tick();
    expect(hub.siteCount()).toBe(1);
  });

  test("answers the CORS preflight", async () => {
    const { handler } = setup();
    const response = (await handler(new Request(`${BASE}/api/event`, { method: "OPTIONS" })))!;
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toContain("Content-Type");
  });

  test("bots get 202 but are not counted, and a header says why", async () => {
    const { handler, hub, tick } = setup();
    const response = (await handler(post(pageview, { "user-agent": "Googlebot/2.1" })))!;
    expect(response.status).toBe(202);
    expect(response.headers.get("x-pulse-dropped")).toBe("bot");
    await tick();
    expect(hub.siteCount()).toBe(0);
  });

  test.each([
    ["malformed JSON", post("{nope"), 400, "body is not valid JSON"],
    ["missing url", post('{"n":"pageview"}'), 400, "missing url (url or u)"],
    ["non-http url", post('{"n":"pageview","u":"file:///etc/passwd"}'), 400, "url must be http or https"],
    ["an empty body", post(""), 400, "body is empty: send a JSON event"],
    ["a body over 8 KiB", post(JSON.stringify({ n: "pageview", u: "https://a.test/", p: { k: "x".repeat(9000) } })), 413, "body is larger than 8192 bytes"],
    ["invalid UTF-8", new Request(`${BASE}/api/event`, { method: "POST", body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }), 400, "body is not valid UTF-8"],
    ["GET", new Request(`${BASE}/api/event`), 405, "use POST to send events"],
  ])("rejects %s", async (_, request, status, message) => {
    const { handler, hub, tick } = setup();
    expect(await errorOf(await handler(request))).toEqual({ status, body: { error: message } });
    await tick();
    expect(hub.siteCount()).toBe(0);
  });

  test("uses the socket address, or the proxy's X-Forwarded-For entry only with trust-proxy", async () => {
    // One event a second per address: a second event from the same address is refused.
    const statuses = async (trustProxy: boolean, forwardedFor: string[]) => {
      const { handler } = setup({ trustProxy, rateLimit: 1 });
      const answers: number[] = [];
      for (const entry of forwardedFor) answers.push((await handler(post(pageview, { "x-forwarded-for": entry })))!.status);
      return answers;
    };
    // Untrusted, every request is the socket's address, whatever it claims.
    expect(await statuses(false, ["203.0.113.50", "198.51.100.1"])).toEqual([202, 429]);
    // Trusted, the proxy's (last) entry is the client: two clients, then one of them again.
    expect(await statuses(true, ["10.9.9.9, 203.0.113.50", "198.51.100.1", "203.0.113.50"])).toEqual([202, 202, 429]);
  });
});

describe("GET /ws", () => {
  const ws = (path: string, origin?: string) => new Request(`${BASE}${path}`, { headers: { ...bearer, ...(origin ? { origin } : {}) } });

  test("upgrades a same-origin request with the site it asks for", async () => {
    const { handler, upgrades } = setup();
    expect(await handler(ws("/ws?site=Shop.Test", BASE))).toBeUndefined();
    expect(await handler(ws("/ws", BASE))).toBeUndefined();
    expect(upgrades).toEqual([
      { site: "shop.test", authorized: true },
      { site: null, authorized: true },
    ]);
  });

  test("rejects another origin, or none, with 403 before upgrading", async () => {
    const { handler, upgrades } = setup();
    expect((await handler(ws("/ws?site=a.test", "http://evil.test")))!.status).toBe(403);
    expect((await handler(ws("/ws?site=a.test")))!.status).toBe(403);
    expect(upgrades).toEqual([]);
  });

  test("accepts an origin allowed with --allow-origin", async () => {
    const { handler, upgrades } = setup({ allowOrigins: ["https://admin.test"] });
    expect(await handler(ws("/ws?site=a.test", "https://admin.test"))).toBeUndefined();
    expect(upgrades.length).toBe(1);
  });

  test("rejects a site that is not a host name", async () => {
    const { handler } = setup();
    expect(await errorOf(await handler(ws("/ws?site=<script>", BASE)))).toEqual({
      status: 400,
      body: { error: "site must be a host name such as example.com" },
    });
  });
});

describe("other routes", () => {
  test("serves the dashboard at / with gzip when accepted, and 404s unknown paths as JSON", async () => {
    const { handler } = setup();
    const page = (await handler(new Request(`${BASE}/`, { headers: bearer })))!;
    expect(page.status).toBe(200);
    expect(await page.text()).toBe("<h1>Pulse</h1>");
    const gzipped = (await handler(new Request(`${BASE}/`, { headers: { ...bearer, "accept-encoding": "gzip" } })))!;
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    const missing = await errorOf(await handler(new Request(`${BASE}/nope`)));
    expect(missing).toEqual({ status: 404, body: { error: "no route for GET /nope" } });
  });
});

describe("requests that cannot be understood", () => {
  test("a request whose URL cannot be parsed (a bad Host) is a 400, not a 500", async () => {
    const { handler } = setup();
    const request = { url: "http://a b/metrics", method: "GET", headers: new Headers() } as unknown as Request;
    expect((await errorOf(await handler(request))).status).toBe(400);
  });

  test("a body cut off by the client is a 400", async () => {
    const { handler } = setup();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const request = new Request(`${BASE}/api/event`, { method: "POST", body, headers: { "user-agent": UA.firefoxLinux } });
    expect(await errorOf(await handler(request))).toEqual({ status: 400, body: { error: "the body was cut off" } });
  });
});
