/**
 * Everything but ingest bodies: wrong methods, odd and unknown paths, missing and junk tokens, bad
 * query parameters, refused dashboard upgrades, and raw TCP requests fetch() would never send.
 */
import { EDGE_SITE, type HttpCase } from "./cases.ts";
import { ODD_CHARACTERS, type Rng } from "./generators.ts";

export interface Target {
  port: number;
  /** The server's own origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  token: string;
}

function http(fields: Omit<HttpCase, "kind" | "headers" | "jsonError"> & { headers?: Record<string, string>; jsonError?: boolean }): HttpCase {
  return { kind: "http", headers: {}, jsonError: fields.method !== "HEAD", ...fields };
}

/** Path characters that cannot turn into a known route: no dots, slashes, backslashes, ? or #. */
const PATH_CHARACTERS = ODD_CHARACTERS.filter((c) => !/[./\\?#]/.test(c));
const UNKNOWN_PATHS = ["/api/events", "/API/EVENT", "/api/event/", "/api/event/x", "/wp-login.php", "/.env", "/.git/config", "/%00", "/a%00b", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/etc/passwd", "/api/export/../../x", "/assets/../../../../etc/passwd", "/metrics.json", "/healthz/x", "/ws/x"];

export function routeCase(rng: Rng): HttpCase {
  switch (rng.int(9)) {
    case 0: {
      const method = rng.pick(["PUT", "DELETE", "PATCH", "GET", "HEAD"]);
      return http({ category: "route", label: `${method} /api/event`, method, path: "/api/event", ...(method === "GET" || method === "HEAD" ? {} : { body: "{}" }), expect: [405] });
    }
    case 1: return http({ category: "route", label: "OPTIONS /api/event (the CORS preflight)", method: "OPTIONS", path: "/api/event", expect: [204] });
    case 2: {
      const method = rng.pick(["GET", "HEAD"]);
      const path = rng.chance(0.5) ? rng.pick(UNKNOWN_PATHS) : `/zz-${rng.text(rng.between(1, 60), PATH_CHARACTERS)}`;
      return http({ category: "route", label: `${method} unknown ${JSON.stringify(path.slice(0, 60))}`, method, path, expect: [404] });
    }
    case 3: {
      const long = `/${"a".repeat(rng.between(2000, 6000))}`;
      return http({ category: "route", label: "a very long unknown path", method: "GET", path: long, expect: [404] });
    }
    case 4: {
      const method = rng.pick(["POST", "PUT", "DELETE", "PATCH"]);
      const path = rng.pick(["/", "/metrics", "/api/export", "/api/realtime", "/index.html", "/js/script.js", ...UNKNOWN_PATHS]);
      return http({ category: "route", label: `${method} ${path}`, method, path, body: "x", expect: [405] });
    }
    case 7: {
      const method = rng.pick(["PUT", "DELETE", "PATCH", "GET", "HEAD", "OPTIONS"]);
      return http({ category: "route", label: `${method} /api/presence`, method, path: "/api/presence", ...(method === "GET" || method === "HEAD" || method === "OPTIONS" ? {} : { body: "{}" }), expect: [method === "OPTIONS" ? 204 : 405] });
    }
    case 8: return presenceSignal(rng);
    case 5: return http({ category: "route", label: "POST /healthz (any method is fine)", method: "POST", path: "/healthz", body: "x", expect: [200] });
    default: return http({ category: "route", label: "HEAD /healthz", method: "HEAD", path: "/healthz", expect: [200] });
  }
}

/** A presence signal, valid or not; never stored, so only its status is checked (docs/protocol.md, "POST /api/presence"). */
function presenceSignal(rng: Rng): HttpCase {
  const tab = rng.pick(["Ab12Cd34", "Ab12Cd34Ef56Gh78", "short", "Ab12Cd34Ef56Gh78X", "Ab12-Cd34", 12345678, null, rng.text(rng.between(1, 20))]);
  const valid = typeof tab === "string" && /^[A-Za-z0-9]{8,16}$/.test(tab);
  const state = rng.pick(["here", "gone", "held", "released", "", 1]);
  const fields = { d: EDGE_SITE, u: `https://${EDGE_SITE}/presence`, t: tab, s: state };
  const body = rng.chance(0.2) ? rng.text(rng.between(0, 200)) : JSON.stringify(fields);
  const ok = body === JSON.stringify(fields) && valid && (state === "here" || state === "gone");
  return http({
    category: "route",
    label: `POST /api/presence ${body.slice(0, 60)}`,
    method: "POST",
    path: "/api/presence",
    headers: { "content-type": "text/plain", "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0" },
    body,
    expect: ok ? [202] : [400],
  });
}

/** Authorization headers and cookies that must not pass for the token. */
export function junkCredentials(rng: Rng, token: string): Record<string, string> {
  return rng.pick<Record<string, string>>([
    {},
    { authorization: "Bearer" },
    { authorization: "Bearer wrong-token-0123456789" },
    { authorization: `Bearer ${token}x` },
    { authorization: `Bearer ${token.slice(1)}` },
    { authorization: `Bearer ${token} ${token}` },
    { authorization: `Basic ${btoa(`pulse:${token}`)}` },
    { authorization: `Token ${token}` },
    { authorization: `Bearer ${"A".repeat(rng.between(100, 8000))}` },
    { authorization: `Bearer ${rng.text(20, "ÿþ\u00a0\u0080ab")}` },
    { cookie: "pulse_session=wrong-token-0123456789" },
    { cookie: `pulse_session=${token.slice(2)}; other=1` },
    // The token itself is no session, under the session's name or the one earlier versions used.
    { cookie: rng.pick([`pulse_session=${token}`, `pulse_token=${token}`]) },
    { cookie: `pulse_session=${rng.pick(["0", "zzzzzzzzzz", "-1"])}.${rng.text(16, "ab_-")}.${rng.text(43, "AZaz09_-")}` },
    // Malformed percent-encoding in the session cookie (was a 500: decodeURIComponent threw).
    { cookie: rng.pick(["pulse_session=%", "pulse_session=%E0%A4%A", "pulse_session=%zz", "a=1; pulse_session=%FF%"]) },
  ]);
}

export function authCase(rng: Rng, { token }: Target): HttpCase {
  const bearer = { authorization: `Bearer ${token}` };
  switch (rng.int(4)) {
    case 0:
    case 1: {
      const path = rng.pick(["/api/export?site=edge.test", "/api/realtime?site=edge.test", "/metrics", "/api/export", "/api/realtime?site=bad..site"]);
      const method = rng.pick(["GET", "GET", "HEAD"]);
      const headers = junkCredentials(rng, token);
      // The realtime route checks the site before the token; the export route checks the token first.
      return http({ category: "auth", label: `${method} ${path} with ${JSON.stringify(headers).slice(0, 80)}`, method, path, headers, expect: [path.includes("bad..") ? 400 : 401] });
    }
    case 2: {
      const badSite = rng.pick(["", "?site=", "?site=bad..site", "?site=%00", "?site=%20", `?site=${"a".repeat(300)}`]);
      const badTime = rng.pick(["from=yesterday", "to=2026-13-45", "from=2026-11-02&to=2026-11-01", "from=2026-01-01T25:99", `from=${"9".repeat(500)}`]);
      // Realtime has no from or to: only its site can be wrong.
      const path = rng.pick([`/api/export${badSite}`, `/api/export?site=${EDGE_SITE}&${badTime}`, `/api/realtime${badSite}`]);
      return http({ category: "auth", label: `GET ${path.slice(0, 80)} with the token`, method: "GET", path, headers: bearer, expect: [400] });
    }
    default: {
      const path = rng.pick([`/api/realtime?site=${EDGE_SITE}`, "/metrics", `/api/export?site=${EDGE_SITE}&from=2026-01-01&to=2099-01-01`]);
      return http({ category: "auth", label: `GET ${path} with the token`, method: "GET", path, headers: bearer, expect: [200] });
    }
  }
}

const UPGRADE = { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };
const BAD_SITES = ["bad..site", "", "%00", "a%20b", "%3Cscript%3E", "%C3%BC.test", "a".repeat(300), "-x.test", "x.test:123456"];

/** Dashboard upgrades that must be refused before any handshake (docs/protocol.md, "Connecting"). */
export function upgradeCase(rng: Rng, { origin, token }: Target): HttpCase {
  const bearer = { authorization: `Bearer ${token}` };
  const ws = (label: string, path: string, headers: Record<string, string>, status: number, method = "GET"): HttpCase =>
    http({ category: "ws-upgrade", label, method, path, headers: { ...UPGRADE, ...headers }, expect: [status] });
  switch (rng.int(6)) {
    case 0: {
      const wrong = rng.pick(["http://evil.test", "null", "file://", `${origin}.evil.test`, "http://127.0.0.1:1", origin.replace("http:", "https:"), "%%%", "javascript:alert(1)", "ws://127.0.0.1"]);
      return ws(`upgrade from origin ${wrong}`, `/ws?site=${EDGE_SITE}`, { origin: wrong, ...bearer }, 403);
    }
    case 1: return ws("upgrade without an Origin", rng.pick([`/ws?site=${EDGE_SITE}`, "/ws", "/ws?site=bad..site"]), bearer, 403);
    case 2: {
      const credentials = junkCredentials(rng, token);
      return ws(`upgrade with ${JSON.stringify(credentials).slice(0, 60)}`, rng.pick([`/ws?site=${EDGE_SITE}`, "/ws"]), { origin, ...credentials }, 401);
    }
    case 3: {
      const site = rng.pick(BAD_SITES);
      return ws(`upgrade for site ${JSON.stringify(site.slice(0, 40))}`, `/ws?site=${site}`, { origin, ...bearer }, 400);
    }
    case 4: return ws("POST /ws", "/ws", { origin, ...bearer }, 405, "POST");
    default:
      return http({ category: "ws-upgrade", label: "GET /ws without the upgrade headers", method: "GET", path: `/ws?site=${EDGE_SITE}`, headers: { origin, ...bearer }, expect: [426] });
  }
}
