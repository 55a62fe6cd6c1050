import { issueSession, sessionCookies, tokenMatches } from "../access.ts";
import { normalizeSite } from "../../core/ingest/event-input.ts";
import { isOwnPagePost } from "../origin.ts";
import { pageHeaders } from "../security-headers.ts";

const STYLE = `body{font:16px system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1f2430}
input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.5rem 0}button{font:inherit;padding:.5rem 1rem}`;
/**
 * The page's policy sends the origin alone as Referer: under no-referrer, browsers send the form
 * with `Origin: null`, and where they send no Sec-Fetch-Site either (plain HTTP) /sign-in could
 * not tell this page from another site's.
 */
const SIGN_IN_HEADERS = { ...pageHeaders([STYLE]), "referrer-policy": "strict-origin" };
/** After a sign-in, the dashboard's own: no Referer at all (the address of a `?token=` link had the token). */
const REDIRECT_HEADERS = pageHeaders([]);
const FORM_TYPE = "application/x-www-form-urlencoded";

export interface SignInContext {
  token: string;
  /** The origin the browser sees for this server (see serverOrigin). */
  ownOrigin: string;
  /** Whether the browser reached this server over HTTPS: the cookie is then Secure. */
  secure: boolean;
}

/**
 * POST /sign-in, as the sign-in page's form sends it (`token`, and `site` if a dashboard was asked
 * for): the token travels in the body, never in an address that proxies log and browsers keep in
 * their history. The right token gets a session cookie and a 303 to the dashboard. Only this
 * server's own page may post it: another site must not sign a browser in to a dashboard of its
 * choosing (login CSRF).
 */
export async function signInRoute(request: Request, context: SignInContext): Promise<Response> {
  if (request.method !== "POST") return signInPage(405, "Sign in with the form below.", null, { allow: "POST" });
  if (!isOwnPagePost(request.headers, context.ownOrigin)) {
    return signInPage(403, "This sign-in did not come from this server's own sign-in page.", null);
  }
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== FORM_TYPE) return signInPage(400, `A sign-in is a form (${FORM_TYPE}) with the token in it.`, null);
  const form = new URLSearchParams(await request.text());
  const site = normalizeSite(form.get("site") ?? "");
  if (!tokenMatches(form.get("token"), context.token)) return signInPage(401, "That token is not the right one.", site);
  return signedIn(site ? `/?${new URLSearchParams({ site })}` : "/", context.token, context.secure);
}

/** A 303 to `location` with a fresh session cookie. */
export function signedIn(location: string, token: string, secure: boolean): Response {
  return withSession(new Response(null, { status: 303, headers: { location, "cache-control": "no-store", ...REDIRECT_HEADERS } }), token, secure);
}

export function withSession(response: Response, token: string, secure: boolean): Response {
  for (const cookie of sessionCookies(issueSession(token, Date.now()), secure)) response.headers.append("set-cookie", cookie);
  return response;
}

/** `site` is a normalised host name (letters, digits, dots, dashes, a port): safe in an attribute. */
export function signInPage(status: number, message: string, site: string | null, headers: Record<string, string> = {}): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pulse: access token needed</title><style>${STYLE}</style></head>
<body><h1>Pulse</h1><p>${message}</p><p>Paste the access token: it is kept in <code>token</code> in the data directory
(or was set with <code>--token</code>), and the server printed a link carrying it when it created it.</p>
<form method="post" action="/sign-in">${site ? `<input type="hidden" name="site" value="${site}">` : ""}<input name="token" type="password" autocomplete="current-password" aria-label="Access token" required>
<button type="submit">Open the dashboard</button></form></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...SIGN_IN_HEADERS, ...headers } });
}
