/**
 * Ingest bodies for POST /api/event: valid events, bots, inputs at and past every documented limit,
 * wrong shapes and types, bad URLs and domains, unicode, invalid UTF-8, prototype keys, and
 * random byte mutations. Each case carries the statuses the rules allow.
 */
import { EDGE_SITE, FUZZ_SITE, MUTANT_SITE, type HttpCase } from "./cases.ts";
import { BOT_UAS, BROWSER_UAS, LONE_SURROGATES, mutateBytes, ODD_CHARACTERS, type Rng } from "./generators.ts";
import type { Payload } from "./raw-http.ts";

const MAX_BODY_BYTES = 8 * 1024;
const TIME_ZONES = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Not/AZone", "UTC"];
const CUSTOM_NAMES = ["Signup", "Download", "Outbound Link: Click", "Add to cart 🛒", "404"];
const CONTENT_TYPES = ["text/plain", "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png"];

type Fields = Record<string, unknown>;

function post(rng: Rng, fields: Omit<HttpCase, "kind" | "method" | "path" | "headers" | "jsonError"> & { ua?: string; contentType?: string }): HttpCase {
  const { ua = rng.pick(BROWSER_UAS), contentType = rng.pick(CONTENT_TYPES), ...rest } = fields;
  return { kind: "http", method: "POST", path: "/api/event", headers: { "content-type": contentType, "user-agent": ua }, jsonError: true, ...rest };
}

function props(rng: Rng, count: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < count; i++) out[`k${i}`] = rng.pick<string | number | boolean>([`v${rng.int(1000)}`, rng.int(1e6), rng.chance(0.5), "🎉 ünï", -1.5e-7]);
  return out;
}

/** Long keys (name, url, domain…) or the short ones Plausible's script sends (n, u, d…). */
function keyed(rng: Rng, fields: { name: string; url: string; domain?: string; referrer?: string; props?: unknown; tz?: string; hash?: boolean }): Fields {
  const long = rng.chance(0.5);
  const out: Fields = { [long ? "name" : "n"]: fields.name, [long ? "url" : "u"]: fields.url };
  if (fields.domain !== undefined) out[long ? "domain" : "d"] = fields.domain;
  if (fields.referrer !== undefined) out[long ? "referrer" : "r"] = fields.referrer;
  if (fields.props !== undefined) out[long ? "props" : "p"] = fields.props;
  if (fields.tz !== undefined) out[rng.chance(0.5) ? "tz" : "timezone"] = fields.tz;
  if (fields.hash) out[long ? "hashMode" : "h"] = long ? true : 1;
  return out;
}

/** Event `n` for FUZZ_SITE, unique by its path; a real browser sends it, so it must be counted once. */
export function validEvent(rng: Rng, n: number): HttpCase {
  const path = `/valid/${n}`;
  const name = rng.chance(0.7) ? "pageview" : rng.pick(CUSTOM_NAMES);
  const hash = rng.chance(0.15);
  // A route is counted (without its query) on hash-routed sites; parameters never are.
  const fragment = rng.chance(0.3) ? rng.pick(["#section-2", "#/section-2", "#/section-2?token=x", "#!/section-2", "#token=x", "#"]) : "";
  const query = rng.chance(0.3) ? `?utm_source=news&q=${n}` : "";
  const body = keyed(rng, {
    name,
    url: `https://${FUZZ_SITE}${path}${query}${fragment}`,
    ...(rng.chance(0.7) ? { domain: FUZZ_SITE } : {}),
    ...(rng.chance(0.4) ? { referrer: rng.pick(["https://www.google.com/search?q=pulse", "https://news.ycombinator.com/", ""]) } : {}),
    ...(rng.chance(0.3) ? { props: props(rng, rng.between(1, 30)) } : {}),
    ...(rng.chance(0.5) ? { tz: rng.pick(TIME_ZONES) } : {}),
    hash,
  });
  return post(rng, {
    category: "valid",
    label: `valid ${path}`,
    contentType: rng.pick(["text/plain", "application/json"]),
    body: JSON.stringify(body),
    expect: [202],
    valid: { path: hash ? path + countedRoute(fragment) : path, name },
  });
}

function countedRoute(fragment: string): string {
  return fragment.length < 2 || /^#[^/?]*=/.test(fragment) ? "" : fragment.split("?")[0]!;
}

/** A valid body for FUZZ_SITE from a bot: answered 202 with X-Pulse-Dropped: bot, never stored. */
export function botEvent(rng: Rng, n: number): HttpCase {
  const body = keyed(rng, { name: "pageview", url: `https://${FUZZ_SITE}/bot/${n}`, domain: FUZZ_SITE });
  return post(rng, { category: "bot", label: `bot /bot/${n}`, ua: rng.pick(BOT_UAS), body: JSON.stringify(body), expect: [202], dropped: "bot" });
}

const EDGE_URL = `https://${EDGE_SITE}/edge`;

/** A body for EDGE_SITE: `status` is what the documented rules say. */
function edge(rng: Rng, label: string, body: Fields | Payload, status: number | readonly number[]): HttpCase {
  const expect = typeof status === "number" ? [status] : status;
  return post(rng, {
    category: expect.includes(202) ? "edge" : "bad-body",
    label,
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
    expect,
    edge: true,
  });
}

const BAD_URLS = [
  "javascript:alert(1)",
  "file:///etc/passwd",
  "data:text/html,<script>alert(1)</script>",
  "ftp://edge.test/x",
  "ws://edge.test/",
  "mailto:a@edge.test",
  "not a url",
  "http://",
  "https://[::1",
  "//edge.test/x",
  "/relative/path",
  "http://exa mple.test/",
  "https://edge.test:99999/",
  "https://",
];
const ODD_VALID_URLS = [
  "HTTPS://EDGE.TEST/Upper",
  "https://edge.test/%00%ff/..%2f..%2f",
  "https://user:pass@edge.test/",
  "https://edge.test/ü/🎉?q=☃#frag",
  "http://127.0.0.1:8080/x",
  "https://xn--mnchen-3ya.test/",
  "https://edge.test/\u0000a",
  "  https://edge.test/padded  ",
];
const BAD_DOMAINS = ["bad..domain", "-edge.test", "edge.test:999999", "münchen.test", "\ud800.test", "a".repeat(254), ",", " , ", "edge.test/path", "edge test", "*.edge.test", "edge.test.", "<script>", "edge.test,bad..one"];
const WRONG_TYPES: unknown[] = [5, 0, -1, 1.5, true, false, [], ["x"], {}, { a: 1 }];
const INVALID_UTF8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf4, 0x90, 0x80, 0x80]];

/** One case from the catalogue of ingest inputs, valid or not, all for EDGE_SITE. */
export function edgeEvent(rng: Rng): HttpCase {
  const base = (extra: Fields = {}): Fields => ({ ...keyed(rng, { name: "pageview", url: EDGE_URL, domain: EDGE_SITE }), ...extra });
  const odd = (length: number) => rng.text(length, ODD_CHARACTERS);
  switch (rng.int(34)) {
    case 0: return edge(rng, "name of 120 characters", base({ n: "n".repeat(120), name: undefined }), 202);
    case 1: return edge(rng, "name of 121 characters", { n: "n".repeat(121), u: EDGE_URL }, 400);
    case 2: {
      const url = `${EDGE_URL}/${"u".repeat(2000 - EDGE_URL.length - 1)}`;
      return edge(rng, "url of 2000 characters", { n: "pageview", u: url, d: EDGE_SITE }, 202);
    }
    case 3: return edge(rng, "url of 2001 characters", { n: "pageview", u: `${EDGE_URL}/${"u".repeat(2000 - EDGE_URL.length)}` }, 400);
    case 4: return edge(rng, "30 props", { n: "Thirty", u: EDGE_URL, p: props(rng, 30) }, 202);
    case 5: return edge(rng, "31 props", { n: "ThirtyOne", u: EDGE_URL, p: props(rng, 31) }, 400);
    case 6: {
      const length = rng.pick([300, 301]);
      return edge(rng, `prop key of ${length}`, { n: "Keys", u: EDGE_URL, p: { ["k".repeat(length)]: "v" } }, length > 300 ? 400 : 202);
    }
    case 7: {
      const length = rng.pick([2000, 2001]);
      return edge(rng, `prop value of ${length}`, { n: "Value", u: EDGE_URL, p: { v: "v".repeat(length) } }, length > 2000 ? 400 : 202);
    }
    case 8: {
      const length = rng.pick([2000, 2001]);
      return edge(rng, `referrer of ${length}`, { n: "pageview", u: EDGE_URL, r: `https://r.test/${"r".repeat(length - 15)}` }, length > 2000 ? 400 : 202);
    }
    case 9: {
      const length = rng.pick([64, 65]);
      return edge(rng, `time zone of ${length}`, { n: "pageview", u: EDGE_URL, tz: "z".repeat(length) }, length > 64 ? 400 : 202);
    }
    case 10: {
      // Whitespace after the object is valid JSON, so the body size alone decides.
      const size = rng.pick([MAX_BODY_BYTES, MAX_BODY_BYTES + 1, rng.between(MAX_BODY_BYTES + 2, 60_000)]);
      const json = JSON.stringify(base());
      return edge(rng, `body of ${size} bytes`, json + " ".repeat(size - json.length), size > MAX_BODY_BYTES ? 413 : 202);
    }
    case 11: {
      const name = `ev ${odd(rng.between(1, 40))}`;
      return edge(rng, "unicode and control characters everywhere", base({ n: name, name: undefined, p: { [odd(5) || "k"]: odd(20), ü: "🎉" }, r: `https://r.test/${odd(10)}` }), name.length > 120 ? 400 : 202);
    }
    case 12: return edge(rng, "lone surrogates in name, url and props", base({ n: `ev${rng.pick(LONE_SURROGATES)}`, name: undefined, u: `${EDGE_URL}/${rng.pick(LONE_SURROGATES)}`, url: undefined, p: { [rng.pick(LONE_SURROGATES)]: rng.pick(LONE_SURROGATES) } }), 202);
    case 13: return edge(rng, "lone surrogate in the domain", { n: "pageview", u: EDGE_URL, d: `${rng.pick(LONE_SURROGATES)}.test` }, 400);
    case 14: return edge(rng, "props as a JSON string (older Plausible scripts)", { n: "Legacy", u: EDGE_URL, p: JSON.stringify({ plan: "pro", n: 3 }) }, 202);
    case 15: return edge(rng, "null props are skipped", { n: "Nulls", u: EDGE_URL, p: { a: null, b: "x" } }, 202);
    case 16: return edge(rng, "prototype keys in props", `{"n":"Proto","u":"${EDGE_URL}","p":{"__proto__":"x","constructor":"y","toString":"z","hasOwnProperty":"w"}}`, 202);
    case 17: return edge(rng, "__proto__ object as a prop value", `{"n":"Proto","u":"${EDGE_URL}","p":{"__proto__":{"polluted":"yes"}}}`, 400);
    case 18: return edge(rng, "__proto__ and constructor carrying the fields", rng.pick([`{"__proto__":{"n":"pageview","u":"${EDGE_URL}"}}`, `{"constructor":{"prototype":{"n":"pageview","u":"${EDGE_URL}"}}}`, `{"n":"pageview","u":"${EDGE_URL}","p":"{\\"__proto__\\":{\\"x\\":1}}"}`]), 400);
    case 19: return edge(rng, "ignored keys, wrong types for h and unknown keys", base({ v: 2, i: true, $: 1, sd: 5, e: 7, h: "yes", unknown: { deep: [1, 2] } }), 202);
    case 20: return edge(rng, "a repeated domain counts once", { n: "pageview", u: EDGE_URL, d: rng.pick([`${EDGE_SITE},${EDGE_SITE}`, ` ${EDGE_SITE} , EDGE.test `]) }, 202);
    case 21: return edge(rng, "a JSON key repeated: the last wins", `{"n":"x","n":"pageview","u":"${EDGE_URL}","d":"${EDGE_SITE}"}`, 202);
    case 22: {
      const url = rng.pick([...BAD_URLS, "", ...ODD_VALID_URLS]);
      const valid = ODD_VALID_URLS.includes(url);
      return edge(rng, `url ${JSON.stringify(url)}`, { n: "pageview", u: url, d: EDGE_SITE }, valid ? 202 : 400);
    }
    case 23: return edge(rng, "bad domain", { n: "pageview", u: EDGE_URL, d: rng.pick(BAD_DOMAINS) }, 400);
    case 24: return edge(rng, "more than 10 domains", { n: "pageview", u: EDGE_URL, d: Array.from({ length: 11 }, (_, i) => `d${i}.test`).join(",") }, 400);
    case 25: return edge(rng, "empty domain falls back to the url's host", { n: "pageview", u: EDGE_URL, d: rng.pick(["", " ", null]) }, 202);
    case 26: {
      const key = rng.pick(["n", "name", "u", "url", "d", "domain", "r", "referrer", "tz", "timezone", "p", "props"]);
      const value = rng.pick(WRONG_TYPES);
      // An object is fine as props; any other wrong type is a 400.
      const fine = (key === "p" || key === "props") && typeof value === "object" && !Array.isArray(value);
      return edge(rng, `${key}: ${JSON.stringify(value)}`, { n: "pageview", u: EDGE_URL, [key]: value }, fine ? 202 : 400);
    }
    case 27: return edge(rng, "missing or blank name or url", rng.pick<Fields>([{ u: EDGE_URL }, { n: "pageview" }, { n: "   ", u: EDGE_URL }, { n: "", u: EDGE_URL }, { name: null, u: EDGE_URL }, { n: "x", u: null }, { d: EDGE_SITE }]), 400);
    case 28: return edge(rng, "not a JSON object", rng.pick(["[]", `[{"n":"pageview","u":"${EDGE_URL}"}]`, "1", "-0", '"pageview"', "null", "true", "{}", " ", "", "\u0000", "{\u0000}"]), 400);
    case 29: {
      const json = JSON.stringify(base({ p: { a: "b" } }));
      return edge(rng, "truncated JSON", json.slice(0, rng.int(json.length)), 400);
    }
    case 30: {
      // Never starts with "{", so it cannot be an object, whatever follows.
      const junk = `${rng.pick(["x", "[", "1", "'", "<", "\\", "n"])}${odd(rng.between(0, 200))}`;
      return edge(rng, "random text", junk, 400);
    }
    case 31: {
      const json = new TextEncoder().encode(JSON.stringify(base({ n: "pageview-XYZ", name: undefined })));
      const at = json.indexOf(0x58); // the X inside a string
      const bad = rng.pick(INVALID_UTF8);
      return edge(rng, `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(" ")}`, Uint8Array.from([...json.subarray(0, at), ...bad, ...json.subarray(at + 1)]), 400);
    }
    case 32: {
      const control = String.fromCharCode(rng.pick([0, 1, 8, 10, 13, 27, 31]));
      return edge(rng, "raw control character inside a JSON string", `{"n":"page${control}view","u":"${EDGE_URL}"}`, 400);
    }
    default: {
      const depth = rng.between(100, 1500);
      return edge(rng, `nested ${depth} deep in an ignored key`, `{"n":"pageview","u":"${EDGE_URL}","x":${"[".repeat(depth)}${"]".repeat(depth)}}`, 202);
    }
  }
}

/** A valid event for MUTANT_SITE with one to four random byte edits: anything but a 5xx or a hang. */
export function mutantEvent(rng: Rng): HttpCase {
  const body = keyed(rng, {
    name: rng.pick(["pageview", "Signup"]),
    url: `https://${MUTANT_SITE}/m/${rng.int(100)}?q=1#h`,
    domain: MUTANT_SITE,
    referrer: "https://www.google.com/",
    props: props(rng, rng.between(0, 4)),
    tz: "Europe/Paris",
  });
  return post(rng, { category: "mutant", label: "mutated event", body: mutateBytes(rng, JSON.stringify(body)), expect: [202, 400, 413] });
}
