import { issueSession, sessionCookies, tokenMatches } from "../../core/access.ts";
import { normalizeSite } from "../../core/event-input.ts";
import { isAuthorized, maySee, type AccessPolicy } from "../request-facts.ts";
import { pageHeaders } from "../security-headers.ts";
import type { StaticAssets } from "../static-assets.ts";

const LOGIN_STYLE = `body{font:16px system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1f2430}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.5rem 0}button{font:inherit;padding:.5rem 1rem}`;
const PAGE_HEADERS = pageHeaders([LOGIN_STYLE]);

/**
 * GET /: the dashboard. A browser arriving with `?token=` trades it for a session cookie and is
 * redirected to the same address without it, so the token leaves the address bar and history.
 * Each load of the page renews the session, so a dashboard in use never signs out.
 */
export function dashboardPage(request: Request, url: URL, assets: StaticAssets, policy: AccessPolicy, secure: boolean): Response {
  const presented = url.searchParams.get("token");
  if (presented !== null) {
    if (!tokenMatches(presented, policy.token)) return loginPage(401, "That token is not the right one.", normalizeSite(url.searchParams.get("site") ?? ""));
    const clean = new URL(url);
    clean.searchParams.delete("token");
    const headers = new Headers({ location: clean.pathname + clean.search, "cache-control": "no-store", ...PAGE_HEADERS });
    return withSession(new Response(null, { status: 303, headers }), policy.token, secure);
  }
  const site = normalizeSite(url.searchParams.get("site") ?? "");
  const authorized = isAuthorized(request, policy);
  if (!authorized && !maySee(request, policy, site)) return loginPage(401, "This Pulse dashboard needs its access token.", site);
  const page = assets.serve("/index.html", request);
  if (!page) return new Response("dashboard not built", { status: 500 });
  for (const [name, value] of Object.entries(PAGE_HEADERS)) page.headers.set(name, value);
  return authorized ? withSession(page, policy.token, secure) : page;
}

function withSession(response: Response, token: string, secure: boolean): Response {
  for (const cookie of sessionCookies(issueSession(token, Date.now()), secure)) response.headers.append("set-cookie", cookie);
  return response;
}

/** `site` is a normalised host name (letters, digits, dots, dashes, a port): safe in an attribute. */
function loginPage(status: number, message: string, site: string | null): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pulse: access token needed</title><style>${LOGIN_STYLE}</style></head>
<body><h1>Pulse</h1><p>${message}</p><p>Paste the access token: it is kept in <code>token</code> in the data directory
(or was set with <code>--token</code>), and the server printed a link carrying it when it created it.</p>
<form method="get" action="/">${site ? `<input type="hidden" name="site" value="${site}">` : ""}<input name="token" type="password" autocomplete="current-password" aria-label="Access token" required>
<button type="submit">Open the dashboard</button></form></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...PAGE_HEADERS } });
}
