import { tokenMatches } from "../access.ts";
import { normalizeSite } from "../../core/ingest/event-input.ts";
import { isAuthorized, maySee, type AccessPolicy } from "../request-facts.ts";
import { pageHeaders } from "../security-headers.ts";
import type { StaticAssets } from "../static-assets.ts";
import { signedIn, signInPage, withSession } from "./sign-in.ts";

const PAGE_HEADERS = pageHeaders([]);

/**
 * GET /: the dashboard. A browser arriving with `?token=` (the link printed when the token was
 * created) trades it for a session cookie and is redirected to the same address without it, so
 * the token leaves the address bar and history; the sign-in page posts it instead (sign-in.ts).
 * Each load of the page renews the session, so a dashboard in use never signs out.
 */
export function dashboardPage(request: Request, url: URL, assets: StaticAssets, policy: AccessPolicy, secure: boolean): Response {
  const presented = url.searchParams.get("token");
  if (presented !== null) {
    if (!tokenMatches(presented, policy.token)) return signInPage(401, "That token is not the right one.", normalizeSite(url.searchParams.get("site") ?? ""));
    const clean = new URL(url);
    clean.searchParams.delete("token");
    return signedIn(clean.pathname + clean.search, policy.token, secure);
  }
  const site = normalizeSite(url.searchParams.get("site") ?? "");
  const authorized = isAuthorized(request, policy);
  if (!authorized && !maySee(request, policy, site)) return signInPage(401, "This Pulse dashboard needs its access token.", site);
  const page = assets.serve("/index.html", request);
  if (!page) return new Response("dashboard not built", { status: 500 });
  for (const [name, value] of Object.entries(PAGE_HEADERS)) page.headers.set(name, value);
  return authorized ? withSession(page, policy.token, secure) : page;
}
