import { describe, expect, test } from "bun:test";
import type { AcceptedEvent } from "../../src/core/ingest/accepted-event.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { createExportRoute, EXPORT_COLUMNS, MAX_CONCURRENT_EXPORTS } from "../../src/server/routes/export-route.ts";
import { BASE, bearer, errorOf, handlerSetup } from "../helpers/handler-setup.ts";
import { storedEvent } from "../helpers/stored-events.ts";

const DAY = 86_400_000;
const NOV_1 = Date.UTC(2026, 10, 1);

function event(time: number, overrides: Partial<AcceptedEvent> = {}): AcceptedEvent {
  return storedEvent({ time, site: "shop.test", visitor: 42, url: "https://shop.test/a", path: "/a", referrer: "", source: "Direct / None", ...overrides });
}

async function exportOf(query: string, events: AcceptedEvent[]) {
  const store = createMemoryStore();
  store.append(events);
  const { handler } = handlerSetup({ store });
  return (await handler(new Request(`${BASE}/api/export?${query}`, { headers: bearer })))!;
}

const lines = async (response: Response) => (await response.text()).trimEnd().split("\r\n");

describe("GET /api/export", () => {
  test("a header row, then one row per stored event of the site, oldest first", async () => {
    const response = await exportOf("site=shop.test", [
      event(NOV_1 + 1000, { name: "Signup", props: { plan: "pro" } }),
      event(NOV_1, { path: "/first", url: "https://shop.test/first?q=1" }),
      event(NOV_1 + 500, { site: "other.test" }),
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="pulse-shop.test.csv"');
    expect(await lines(response)).toEqual([
      EXPORT_COLUMNS.join(","),
      "2026-11-01T00:00:00.000Z,shop.test,pageview,https://shop.test/first?q=1,/first,,Direct / None,Firefox,Linux,Desktop,FR,42,,,,,,,",
      '2026-11-01T00:00:01.000Z,shop.test,Signup,https://shop.test/a,/a,,Direct / None,Firefox,Linux,Desktop,FR,42,"{""plan"":""pro""}",,,,,,',
    ]);
  });

  test("the campaign columns come last: utm_source to utm_term and ref; for older events, read from their stored URL", async () => {
    const campaign = { source: "news", medium: "email", campaign: "nov", content: "top", term: "red wine", ref: "" };
    const response = await exportOf("site=shop.test", [
      event(NOV_1, { url: "https://shop.test/a", source: "news", campaign }),
      event(NOV_1 + 1, { url: "https://shop.test/old?token=x&utm_medium=social&ref=hn", source: "hn" }),
    ]);
    const [header, ...rows] = await lines(response);
    expect(header!.split(",").slice(-6)).toEqual(["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ref"]);
    expect(rows.map((row) => row.split(",").slice(-6))).toEqual([
      ["news", "email", "nov", "top", "red wine", ""],
      ["", "social", "", "", "", "hn"],
    ]);
  });

  test("from and to take dates (whole days) or times", async () => {
    const events = [event(NOV_1 - 1), event(NOV_1), event(NOV_1 + DAY - 1), event(NOV_1 + DAY), event(NOV_1 + 2 * DAY)];
    expect((await lines(await exportOf("site=shop.test&from=2026-11-01&to=2026-11-01", events))).length).toBe(1 + 2);
    expect((await lines(await exportOf("site=shop.test&from=2026-11-02", events))).length).toBe(1 + 2);
    expect((await lines(await exportOf("site=shop.test&to=2026-11-01T00:00:00Z", events))).length).toBe(1 + 1);
    // 01:00 at +01:00 is midnight UTC; a date as `to` includes that whole day.
    expect((await lines(await exportOf("site=shop.test&from=2026-11-01T01:00:00%2B01:00&to=2026-11-02", events))).length).toBe(1 + 3);
  });

  test("cells that a spreadsheet would run as formulas are defused", async () => {
    const response = await exportOf("site=shop.test", [event(NOV_1, { referrer: "=HYPERLINK(\"http://evil\")", path: "/a,b" })]);
    const row = (await lines(response))[1]!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).toContain('"/a,b"');
  });

  test("filters keep only the events that match all of them, compared as the live views compare", async () => {
    const events = [
      event(NOV_1, { path: "/pricing", country: "FR" }),
      event(NOV_1 + 1, { path: "/pricing", country: "DE" }),
      event(NOV_1 + 2, { path: "/", country: "FR" }),
      event(NOV_1 + 3, { path: "/pricing", country: "FR", name: "Signup" }),
    ];
    const paths = async (query: string) => (await lines(await exportOf(query, events))).slice(1).map((row) => row.split(",").slice(2, 5).join(" "));
    // `page` is the stored path, `event` the stored name; a country code in any case is a code.
    expect(await paths("site=shop.test&page=/pricing&country=fr")).toEqual([
      "pageview https://shop.test/a /pricing",
      "Signup https://shop.test/a /pricing",
    ]);
    expect(await paths("site=shop.test&country=FR&event=Signup")).toEqual(["Signup https://shop.test/a /pricing"]);
    expect(await paths("site=shop.test&page=/nowhere")).toEqual([]);
  });

  test("matches spread thinly over many rows all arrive: steps with none are followed by the next", async () => {
    const events = Array.from({ length: 1_234 }, (_, i) => event(NOV_1 + i, { path: i % 600 === 599 ? "/rare" : "/common" }));
    const rows = (await lines(await exportOf("site=shop.test&page=/rare", events))).slice(1);
    expect(rows.map((row) => row.split(",")[0])).toEqual([new Date(NOV_1 + 599).toISOString(), new Date(NOV_1 + 1199).toISOString()]);
  });

  test.each([
    [`site=shop.test&page=/${"x".repeat(100)}`, "filter page is over 100 characters"],
    ["site=shop.test&country=FR&country=DE", "filter country is given twice: one value per dimension"],
    ["site=shop.test&page=", "filter page is empty"],
    ["", "site is required, e.g. ?site=example.com"],
    ["site=shop.test&from=yesterday", "from must be an ISO date or time, e.g. 2026-11-25 or 2026-11-25T10:00:00Z"],
    ["site=shop.test&to=2026-13-45", "to must be an ISO date or time, e.g. 2026-11-25 or 2026-11-25T10:00:00Z"],
    ["site=shop.test&from=2026-02-30", "from must be an ISO date or time, e.g. 2026-11-25 or 2026-11-25T10:00:00Z"],
    ["site=shop.test&from=2026-11-02&to=2026-11-01T00:00:00Z", "from must be before to"],
  ])("%p is a 400 that says why", async (query, message) => {
    expect(await errorOf(await exportOf(query, []))).toEqual({ status: 400, body: { error: message } });
  });

  describe("window: the events of the last 1, 5 or 30 minutes, as a view's window", () => {
    const MINUTE = 60_000;
    const events = [event(NOV_1 - 40 * MINUTE, { path: "/forty" }), event(NOV_1 - 10 * MINUTE, { path: "/ten" }), event(NOV_1 - 2 * MINUTE, { path: "/two", country: "DE" }), event(NOV_1 - 30_000, { path: "/now" })];
    const windowExport = async (query: string) => {
      const store = createMemoryStore();
      store.append(events);
      const { handler } = handlerSetup({ store, now: () => NOV_1 });
      return (await handler(new Request(`${BASE}/api/export?${query}`, { headers: bearer })))!;
    };
    const paths = async (response: Response) => (await lines(response)).slice(1).map((row) => row.split(",")[4]);

    test("takes the events since the window began, with the view's filters", async () => {
      expect(await paths(await windowExport("site=shop.test&window=1"))).toEqual(["/now"]);
      expect(await paths(await windowExport("site=shop.test&window=5"))).toEqual(["/two", "/now"]);
      expect(await paths(await windowExport("site=shop.test&window=30"))).toEqual(["/ten", "/two", "/now"]);
      expect(await paths(await windowExport("site=shop.test&window=5&country=DE"))).toEqual(["/two"]);
      expect(await paths(await windowExport("site=shop.test"))).toEqual(["/forty", "/ten", "/two", "/now"]);
    });

    test("the file is named after the moment the window began", async () => {
      const response = await windowExport("site=shop.test&window=5");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="pulse-shop.test_2026-10-31T23-55-00.000Z.csv"');
    });

    test.each([
      ["site=shop.test&window=2", "window must be 1, 5 or 30 (minutes)"],
      ["site=shop.test&window=5&from=2026-11-01", "give from or window, not both"],
    ])("%p is a 400 that says why", async (query, message) => {
      expect(await errorOf(await windowExport(query))).toEqual({ status: 400, body: { error: message } });
    });
  });

  test("rows are read from the store only as fast as the client takes them", async () => {
    const store = createMemoryStore();
    store.append(Array.from({ length: 5000 }, (_, i) => event(NOV_1 + i)));
    let read = 0;
    const range = store.range.bind(store);
    store.range = (query) => ({
      *[Symbol.iterator]() {
        for (const stored of range(query)) {
          read++;
          yield stored;
        }
      },
    });
    const { handler } = handlerSetup({ store });
    const response = (await handler(new Request(`${BASE}/api/export?site=shop.test`, { headers: bearer })))!;
    const reader = response.body!.getReader();
    await reader.read(); // the header row
    await reader.read(); // the first step
    await Bun.sleep(20);
    // The step taken, and at most the next one ready for the client.
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThanOrEqual(1000);
    await reader.cancel();
  });

  describe("at most four at once per process", () => {
    const exporter = () => {
      const store = createMemoryStore();
      store.append(Array.from({ length: 2000 }, (_, i) => event(NOV_1 + i)));
      const { handler } = handlerSetup({ store });
      return (query = "site=shop.test") => handler(new Request(`${BASE}/api/export?${query}`, { headers: bearer })) as Promise<Response>;
    };
    const startAll = (start: () => Promise<Response>) => Promise.all(Array.from({ length: MAX_CONCURRENT_EXPORTS }, () => start()));

    test("one more while four stream is a 503 with Retry-After; one read to the end makes room", async () => {
      const start = exporter();
      const running = await startAll(start);
      expect(running.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const refused = await start();
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("10");
      expect(((await refused.json()) as { error: string }).error).toBe(
        "the server is already streaming 4 exports, its most at once; retry in 10 seconds",
      );
      expect((await lines(running[0]!)).length).toBe(1 + 2000);
      expect((await start()).status).toBe(200);
    });

    test("an export its client abandons makes room", async () => {
      const start = exporter();
      const running = await startAll(start);
      expect((await start()).status).toBe(503);
      await running[1]!.body!.cancel();
      expect((await start()).status).toBe(200);
    });

    test("an export whose client takes nothing for the stall time ends, and makes room; one read steadily does not", async () => {
      const store = createMemoryStore();
      store.append(Array.from({ length: 2000 }, (_, i) => event(NOV_1 + i)));
      const kept: string[] = [];
      const route = createExportRoute(store, 1, 300);
      const url = new URL(`${BASE}/api/export?site=shop.test`);
      const stalled = route(url, { keepOpen: () => kept.push("stalled") });
      const reader = stalled.body!.getReader();
      await reader.read(); // the header row, then nothing more taken
      await reader.read();
      expect(kept).toEqual(["stalled"]);
      expect(route(url).status).toBe(503);
      await Bun.sleep(500);
      await expect(reader.read()).rejects.toThrow("the client took nothing for 0.3 s");
      // A client slower than a step per stall time, but steady, reads to the end.
      const steady = route(url);
      expect(steady.status).toBe(200);
      const steadyReader = steady.body!.getReader();
      let chunks = 0;
      for (let chunk = await steadyReader.read(); !chunk.done; chunk = await steadyReader.read()) {
        chunks++;
        if (chunks <= 3) await Bun.sleep(200);
      }
      expect(chunks).toBe(1 + 2000 / 500);
    });

    test("wrong parameters are a 400 whether or not exports are running, and take no room", async () => {
      const start = exporter();
      for (let i = 0; i < MAX_CONCURRENT_EXPORTS + 1; i++) expect((await start("site=shop.test&from=never")).status).toBe(400);
      expect((await startAll(start)).map((response) => response.status)).toEqual([200, 200, 200, 200]);
      expect((await start("site=shop.test&from=never")).status).toBe(400);
    });
  });
});
