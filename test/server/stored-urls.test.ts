import { afterEach, describe, expect, test } from "bun:test";
import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { EXPORT_COLUMNS } from "../../src/server/routes/export-route.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { UA } from "../helpers/user-agents.ts";

const TOKEN = "test-token-0123456789";
const PAGE = "https://urls.test/reset?token=s3cret&utm_source=news&utm_campaign=nov#k=v";
const REFERRER = "https://mail.example/inbox?session=abc";
let server: RunningServer | undefined;

afterEach(() => server?.stop());

/** The exported row of one event sent to a server started with `flags`, as column → cell. */
async function storedRow(flags: string[], event: object = { n: "pageview", u: PAGE, r: REFERRER }): Promise<Record<string, string>> {
  server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", "20", ...flags], {}), {
    files: { "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" } },
    store: createMemoryStore(),
    token: TOKEN,
  });
  const base = `http://127.0.0.1:${server.port}`;
  const sent = await fetch(`${base}/api/event`, {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": UA.firefoxLinux },
    body: JSON.stringify(event),
  });
  expect(sent.status).toBe(202);
  for (let tries = 0; tries < 50; tries++) {
    const lines = (await (await fetch(`${base}/api/export?site=urls.test`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()).trimEnd().split("\r\n");
    if (lines.length === 2) return Object.fromEntries(EXPORT_COLUMNS.map((column, i) => [column, csvCells(lines[1]!)[i]!]));
    await Bun.sleep(20);
  }
  throw new Error("the event was not stored");
}

/** The cells of one CSV line: quoted cells may hold commas and doubled quotes. */
function csvCells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map(([, cell]) => (cell!.startsWith('"') ? cell!.slice(1, -1).replaceAll('""', '"') : cell!));
}

describe("what is stored of the URLs an event names", () => {
  test("by default, the page without its query string or fragment, the referrer without its query, the campaign apart", async () => {
    expect(await storedRow([])).toMatchObject({
      url: "https://urls.test/reset",
      path: "/reset",
      referrer: "https://mail.example/inbox",
      source: "news",
      utm_source: "news",
      utm_campaign: "nov",
    });
  });

  test("with --keep-query, both URLs as sent", async () => {
    expect(await storedRow(["--keep-query"])).toMatchObject({ url: PAGE, referrer: REFERRER, utm_source: "news", utm_campaign: "nov" });
  });

  test("a hash route without the query inside its fragment; a fragment that is no route, not at all", async () => {
    expect(await storedRow([], { n: "pageview", u: "https://urls.test/#/reset-password?token=SECRETRESET&email=a@b.c", h: 1 })).toMatchObject({
      url: "https://urls.test/#/reset-password",
      path: "/#/reset-password",
    });
    server?.stop();
    expect(await storedRow([], { n: "pageview", u: "https://urls.test/#access_token=SECRET4", h: 1 })).toMatchObject({ url: "https://urls.test/", path: "/" });
  });

  test("a referrer without its user name and password, even with --keep-query", async () => {
    expect(await storedRow([], { n: "pageview", u: "https://urls.test/", r: "https://u:SECRET12@ref.example/" })).toMatchObject({ referrer: "https://ref.example/" });
    server?.stop();
    expect(await storedRow(["--keep-query"], { n: "pageview", u: "https://urls.test/", r: "https://u:SECRET12@ref.example/?a=1" })).toMatchObject({ referrer: "https://ref.example/?a=1" });
  });

  test("props exported without control, bidi or invisible characters", async () => {
    const row = await storedRow([], { n: "Signup", u: "https://urls.test/", p: { "pl\u202Ean": "\u202Emoc.elgoog\u200B\u0000", note: "a\u2066b" } });
    expect(JSON.parse(row.props!)).toEqual({ plan: "moc.elgoog", note: "ab" });
  });
});
