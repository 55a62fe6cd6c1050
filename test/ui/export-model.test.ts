import { describe, expect, test } from "bun:test";
import { eventsExportHref, tablesCsv, tablesFileName, TABLE_COLUMNS } from "../../ui/export-model.ts";
import { siteModel } from "../../ui/site-model.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { snapshot, stats, T0 } from "./fixtures.ts";

const view = applyFrame(
  initialState("shop.test"),
  snapshot({
    stats: stats({
      visitors: { last5m: 3, last30m: 7, capped: false },
      pages: [["/pricing", 2], ["/", 1]],
      countries: [["FR", 4], ["Unknown", 3]],
      events: [["=cmd|' /C calc'!A0", 2]],
    }),
  }),
  T0,
);

describe("the view's tables as CSV", () => {
  const rows = tablesCsv(siteModel(view, T0)).split("\r\n");

  test("a header, the filters (none here), the three figures, then every row of every list under its card's title", () => {
    expect(rows[0]).toBe(TABLE_COLUMNS.join(","));
    expect(rows[1]).toBe("Filter,None,,all traffic");
    expect(rows.slice(2, 5)).toEqual([
      "Summary,Current visitors,3,\"visitors, last 5 minutes\"",
      "Summary,Visitors,7,\"visitors, last 30 minutes\"",
      "Summary,Pageviews,0,\"pageviews, last 30 minutes\"",
    ]);
    expect(rows).toContain('Pages,/pricing,2,visitors now');
    expect(rows).toContain('Pages,/,1,visitors now');
    // Countries as the page shows them.
    expect(rows).toContain('Countries,🇫🇷 France,4,"visitors, last 30 min"');
    expect(rows.at(-1)).toBe("");
  });

  test("a filtered view's tables say, after the header, which filters they were taken under, a row each", () => {
    const filtered = tablesCsv(siteModel(view, T0), { country: "FR", page: "/pricing" }).split("\r\n");
    expect(filtered.slice(0, 4)).toEqual([
      TABLE_COLUMNS.join(","),
      "Filter,Page,/pricing,only traffic with this value",
      "Filter,Country,FR,only traffic with this value",
      'Summary,Current visitors,3,"visitors, last 5 minutes"',
    ]);
  });

  test("a label from the open internet cannot run as a formula", () => {
    expect(rows).toContain(`Custom events,'=cmd|' /C calc'!A0,2,"events, last 30 min"`);
  });
});

describe("the downloads' names and addresses", () => {
  test("the file is named after the site and the server's time", () => {
    expect(tablesFileName("shop.test", T0)).toBe("pulse-shop.test-2025-01-01T12-00-00Z.csv");
    expect(tablesFileName("shop.test:8080", T0)).toBe("pulse-shop.test-8080-2025-01-01T12-00-00Z.csv");
  });

  test("the raw events are the server's export of the last 30 minutes, counted back from the download", () => {
    const href = new URL(eventsExportHref("shop.test"), "http://pulse.local");
    expect(href.pathname).toBe("/api/export");
    expect([...href.searchParams]).toEqual([
      ["site", "shop.test"],
      ["window", "30"],
    ]);
  });

  test("a shorter window exports the events of that window, and the tables say it", () => {
    expect(new URL(eventsExportHref("shop.test", {}, 5), "http://pulse.local").searchParams.get("window")).toBe("5");
    const model = { ...siteModel(initialState("shop.test"), T0), window: 1 as const };
    expect(tablesCsv(model).split("\r\n").filter((row) => row.startsWith("Summary"))).toEqual([
      'Summary,Current visitors,0,"visitors, last 1 minute"',
      'Summary,Visitors,0,"visitors, last 1 minute"',
      'Summary,Pageviews,0,"pageviews, last 1 minute"',
    ]);
  });

  test("a rewound view's raw events end at the moment it shows", () => {
    const href = new URL(eventsExportHref("shop.test", {}, 5, T0), "http://pulse.local");
    expect([...href.searchParams]).toEqual([
      ["site", "shop.test"],
      ["from", "2025-01-01T11:55:00.000Z"],
      ["to", "2025-01-01T12:00:00.000Z"],
    ]);
  });

  test("a filtered view's raw events are narrowed by its filters, named as the socket URL names them", () => {
    const href = new URL(eventsExportHref("shop.test", { event: "Signup", page: "/a&b" }), "http://pulse.local");
    expect([...href.searchParams]).toEqual([
      ["site", "shop.test"],
      ["window", "30"],
      ["page", "/a&b"],
      ["event", "Signup"],
    ]);
  });
});
