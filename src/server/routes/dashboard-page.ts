import { sessionCookie, tokenMatches } from "../../core/access.ts";
import { normalizeSite } from "../../core/event-input.ts";
import { maySee, type AccessPolicy } from "../request-facts.ts";
import type { StaticAssets } from "../static-assets.ts";

/**
 * GET /: the dashboard. A browser arriving with `?token=` trades it for an HttpOnly cookie and is
 * redirected to the same address without it, so the token leaves the address bar and history.
 */
export function dashboardPage(request: Request, url: URL, assets: StaticAssets, policy: AccessPolicy, secure: boolean): Response {
  const presented = url.searchParams.get("token");
  if (presented !== null) {
    if (!tokenMatches(presented, policy.token)) return loginPage(401, "That token is not the right one.", normalizeSite(url.searchParams.get("site") ?? ""));
    const clean = new URL(url);
    clean.searchParams.delete("token");
    return new Response(null, {
      status: 303,
      headers: { location: clean.pathname + clean.search, "set-cookie": sessionCookie(presented, secure), "cache-control": "no-store" },
    });
  }
  const site = normalizeSite(url.searchParams.get("site") ?? "");
  if (!maySee(request, policy, site)) return loginPage(401, "This Pulse dashboard needs its access token.", site);
  return assets.serve("/index.html", request) ?? new Response("dashboard not built", { status: 500 });
}

/** `site` is a normalised host name (letters, digits, dots, dashes, a port): safe in an attribute. */
function loginPage(status: number, message: string, site: string | null): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pulse: access token needed</title><style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1f2430}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.5rem 0}button{font:inherit;padding:.5rem 1rem}</style></head>
<body><h1>Pulse</h1><p>${message}</p><p>Open the dashboard link the server printed when it started, or paste the token
(kept in <code>token</code> in the data directory, or set with <code>--token</code>):</p>
<form method="get" action="/">${site ? `<input type="hidden" name="site" value="${site}">` : ""}<input name="token" type="password" autocomplete="current-password" aria-label="Access token" required>
<button type="submit">Open the dashboard</button></form></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
