/**
 * Hostile labels, all for LABEL_SITE: User-Agents the parser does not recognise, up to 12 KB long
 * (it then names the browser after most of the string); bidi overrides and invisible characters in
 * every field that becomes a label (utm_source, event names, props); query strings carrying
 * tokens. Among them, ordinary pageviews by distinct visitors on more pages than a top list holds.
 * Afterwards the site's snapshot must list its ordinary entries in full, every label clipped and
 * clean, and no stored URL may keep a query string.
 */
import { MAX_FRAME_BYTES, TOP_LIST_SIZE, type FeedItem, type SnapshotFrame } from "../../src/core/wire/protocol.ts";
import { MAX_LABEL_CHARS } from "../../src/core/ingest/text.ts";
import type { HttpCase } from "./cases.ts";
import { BROWSER_UAS, type Rng } from "./generators.ts";

export const LABEL_SITE = "labels.test";
/** Ordinary pages visited: more than a top list shows. */
const ORDINARY_PAGES = TOP_LIST_SIZE + 2;
const BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"];
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u180e", "\u00ad", "\u2060", "\u{e0041}"];
/** What no label may contain once cleaned. */
const UNWANTED = /[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;
/** Pieces of User-Agent filler, with the parentheses the parser splits on but never "()", which reads as a bot. */
const UA_FILLER = ["abc", "xyz", "0189", " ", ";", ":", ",", ".", "_", "-", "/", "+", "(KHTML, like", ")"];

function post(label: string, ua: string, body: object, expect: readonly number[] = [202]): HttpCase {
  return {
    kind: "http",
    category: "label",
    label,
    method: "POST",
    path: "/api/event",
    headers: { "content-type": "text/plain", "user-agent": ua },
    body: JSON.stringify(body),
    expect,
    jsonError: true,
  };
}

/** A real browser's User-Agent, made one visitor's own by a trailing token. */
const visitorUa = (rng: Rng, n: number) => `${rng.pick(BROWSER_UAS)} Visit/${n}`;
const bidi = (rng: Rng) => rng.pick(BIDI);
const invisible = (rng: Rng) => rng.pick(INVISIBLE);
const mixed = (rng: Rng, text: string) => [...text].map((char) => (rng.chance(0.3) ? bidi(rng) + invisible(rng) : "") + char).join("");

export function labelEvent(rng: Rng, n: number): HttpCase {
  const url = `https://${LABEL_SITE}`;
  switch (rng.weighted([[5, "ordinary"], [3, "hostile-ua"], [2, "bidi-source"], [2, "bidi-event"], [1, "invisible-name"]] as const)) {
    case "ordinary":
      return post("ordinary pageview", visitorUa(rng, n), { n: "pageview", u: `${url}/ordinary/${n % ORDINARY_PAGES}`, d: LABEL_SITE, tz: "Europe/Paris" });
    case "hostile-ua": {
      const filler = Array.from({ length: rng.between(1000, 5000) }, () => rng.pick(UA_FILLER)).join("").slice(0, 12_000);
      return post("12 KB User-Agent the parser does not know", `Mozilla/5.0 (X11) ${n} ${filler}/1.0 (x`, { n: "pageview", u: `${url}/hostile`, d: LABEL_SITE });
    }
    case "bidi-source": {
      const source = encodeURIComponent(`${bidi(rng)}${invisible(rng)}moc.elgoog${"🍷".repeat(rng.int(150))}`);
      return post("bidi utm_source and a token in the query", visitorUa(rng, n), {
        n: "pageview",
        u: `${url}/campaign?token=secret-${n}&utm_source=${source}#access_token=${n}`,
        r: `https://mail.example/inbox?session=${n}`,
        d: LABEL_SITE,
      });
    }
    case "bidi-event":
      return post("bidi and zero-width characters in an event name and props", visitorUa(rng, n), {
        n: mixed(rng, "Signup"),
        u: `${url}/join`,
        d: LABEL_SITE,
        p: { [mixed(rng, "plan")]: mixed(rng, "pro"), [`${bidi(rng)}k`]: `${"\u202e".repeat(50)}${"v".repeat(rng.int(1900))}` },
      });
    default:
      return post("an event name of invisible characters only", visitorUa(rng, n), { n: `${invisible(rng)}${bidi(rng)}`, u: `${url}/x`, d: LABEL_SITE }, [400]);
  }
}

/** What is wrong with LABEL_SITE after the traffic, seen in its snapshot (as sent) and its exported rows. */
export function labelSiteProblems(raw: string, rows: ReadonlyArray<Record<string, string>>): string[] {
  const problems: string[] = [];
  const bytes = new TextEncoder().encode(raw).length;
  if (bytes > MAX_FRAME_BYTES) problems.push(`the snapshot is ${bytes} bytes`);
  const snapshot = JSON.parse(raw) as SnapshotFrame;
  const ordinary = snapshot.stats.pages.filter(([page]) => page.startsWith("/ordinary/"));
  // /hostile, /campaign and /join may rank above them; ordinary pages fill the rest of the list.
  if (snapshot.stats.pages.length < TOP_LIST_SIZE || ordinary.length < TOP_LIST_SIZE - 3) {
    problems.push(`the pages list was cut: ${JSON.stringify(snapshot.stats.pages)}`);
  }
  const listed = Object.values(snapshot.stats).flatMap((value) => (Array.isArray(value) ? value.map(([label]: [string]) => label) : []));
  const fed = snapshot.feed.flatMap((item: FeedItem) => [item.n, item.p, item.s, item.b, item.o, item.d, item.c, ...Object.entries(item.props ?? {}).flat()]);
  for (const label of [...listed, ...fed]) {
    if (Array.from(label).length > MAX_LABEL_CHARS) problems.push(`a label of ${Array.from(label).length} characters: ${label.slice(0, 60)}…`);
    if (UNWANTED.test(label)) problems.push(`a label with bidi or invisible characters: ${JSON.stringify(label.slice(0, 60))}`);
  }
  for (const row of rows) {
    if (/[?#]/.test(row.url ?? "")) problems.push(`a stored URL keeps its query or fragment: ${row.url}`);
    if ((row.referrer ?? "").includes("?")) problems.push(`a stored referrer keeps its query: ${row.referrer}`);
  }
  if (!rows.some((row) => row.utm_source === "moc.elgoog" || row.utm_source?.startsWith("moc.elgoog🍷"))) problems.push("no stored event has its utm_source, cleaned");
  for (const row of rows) if (UNWANTED.test(row.utm_source ?? "")) problems.push(`a stored utm_source with bidi or invisible characters: ${JSON.stringify(row.utm_source)}`);
  return problems.slice(0, 20);
}
