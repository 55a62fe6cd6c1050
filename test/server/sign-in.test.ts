/** The sign-in form: the token travels in a POST body, never in an address. */
import { describe, expect, test } from "bun:test";
import { BASE, handlerSetup, TOKEN } from "../helpers/handler-setup.ts";

type Handler = ReturnType<typeof handlerSetup>["handler"];

/** The form as a browser on this server's sign-in page posts it. */
function signInPost(fields: Record<string, string>, headers: Record<string, string> = { origin: BASE }, base = BASE): Request {
  return new Request(`${base}/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

async function respond(handler: Handler, request: Request): Promise<Response> {
  return (await handler(request))!;
}

describe("the sign-in page", () => {
  test("its form posts the token to /sign-in, so the token is never in an address", async () => {
    const page = await (await respond(handlerSetup().handler, new Request(`${BASE}/?site=shop.test`))).text();
    const form = /<form [^>]*>/.exec(page)?.[0];
    expect(form).toBe('<form method="post" action="/sign-in">');
    expect(page).toContain('<input type="hidden" name="site" value="shop.test">');
    expect(page).toContain('<input name="token" type="password"');
  });

  test("its referrer policy lets the browser say where the form comes from, yet sends no address on", async () => {
    const response = await respond(handlerSetup().handler, new Request(`${BASE}/`));
    expect(response.status).toBe(401);
    // no-referrer would make browsers send `Origin: null` with the form.
    expect(response.headers.get("referrer-policy")).toBe("strict-origin");
    expect(response.headers.get("content-security-policy")).toContain("form-action 'self'");
  });
});

describe("POST /sign-in", () => {
  test("the right token: a session cookie and a 303 to the dashboard of the site", async () => {
    const { handler } = handlerSetup();
    const response = await respond(handler, signInPost({ token: TOKEN, site: "Shop.Test" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/?site=shop.test");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const setCookie = response.headers.getSetCookie()[0]!;
    expect(setCookie).toStartWith("pulse_session=");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).not.toContain(TOKEN);
    // The cookie opens the dashboard.
    const dashboard = await respond(handler, new Request(`${BASE}/?site=shop.test`, { headers: { cookie: setCookie.split(";")[0]! } }));
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toBe("<h1>Pulse</h1>");
  });

  test("without a site, to the site list; Secure over HTTPS", async () => {
    const response = await respond(handlerSetup().handler, signInPost({ token: TOKEN }, { origin: "https://localhost" }, "https://localhost"));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(response.headers.getSetCookie()[0]).toContain("; Secure");
  });

  test("a wrong or missing token: the sign-in page again, 401, no cookie", async () => {
    const forms: Array<Record<string, string>> = [{ token: "not-the-token-at-all", site: "shop.test" }, { site: "shop.test" }];
    for (const fields of forms) {
      const response = await respond(handlerSetup().handler, signInPost(fields));
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const page = await response.text();
      expect(page).toContain("That token is not the right one.");
      expect(page).toContain('<form method="post" action="/sign-in">');
      expect(page).toContain('name="site" value="shop.test"');
    }
  });

  test("from this server's page: Sec-Fetch-Site same-origin, or an Origin that is the server's own", async () => {
    const { handler } = handlerSetup({ trustProxy: true });
    const accepted: Array<Record<string, string>> = [
      { "sec-fetch-site": "same-origin", origin: BASE },
      // Browsers send Sec-Fetch-Site over HTTPS and to localhost only; elsewhere Origin says it.
      { origin: BASE },
      { origin: "https://stats.example.com", "x-forwarded-host": "stats.example.com", "x-forwarded-proto": "https" },
    ];
    for (const headers of accepted) expect({ headers, status: (await respond(handler, signInPost({ token: TOKEN }, headers))).status }).toEqual({ headers, status: 303 });
  });

  test("from another site, or from nowhere the browser will name: 403, no cookie, even with the right token", async () => {
    const { handler } = handlerSetup();
    const refused: Array<Record<string, string>> = [
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      { "sec-fetch-site": "same-site", origin: "http://other.localhost:3000" },
      // A page claiming to be this one is still not, if the browser says it is another site.
      { "sec-fetch-site": "cross-site", origin: BASE },
      { origin: "https://evil.example" },
      { origin: "null" },
      {},
    ];
    for (const headers of refused) {
      const response = await respond(handler, signInPost({ token: TOKEN }, headers));
      expect({ headers, status: response.status, cookies: response.headers.getSetCookie() }).toEqual({ headers, status: 403, cookies: [] });
      expect(await response.text()).toContain("did not come from this server's own sign-in page");
    }
  });

  test("a body that is not the form is a 400 page; other methods are a 405", async () => {
    const { handler } = handlerSetup();
    const json = new Request(`${BASE}/sign-in`, { method: "POST", headers: { origin: BASE, "content-type": "application/json" }, body: JSON.stringify({ token: TOKEN }) });
    const response = await respond(handler, json);
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    const get = await respond(handler, new Request(`${BASE}/sign-in?token=${TOKEN}`));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(get.headers.getSetCookie()).toEqual([]);
  });

  test("GET /?token= (the link the first start prints) still signs in and leaves the address", async () => {
    const response = await respond(handlerSetup().handler, new Request(`${BASE}/?site=shop.test&token=${TOKEN}`));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/?site=shop.test");
    expect(response.headers.getSetCookie()[0]).toStartWith("pulse_session=");
  });
});
