/**
 * What the page offers to download: the view's tables as CSV, made in the page from what it
 * shows, and the raw events of the window, which the server streams (GET /api/export). The CSV
 * rules are the server's export's (formula-safe cells), so both open the same way in a spreadsheet.
 */
import { csvRow } from "../src/server/csv.ts";
import { DIMENSIONS, filterParams, type Filters } from "./filters.ts";
import type { SiteModel } from "./site-model.ts";
import { DEFAULT_WINDOW, minutesText, nowMinutes, type ViewWindow } from "./view-window.ts";

export const TABLE_COLUMNS = ["table", "label", "value", "unit"] as const;

/**
 * Every number and list the view shows, one row each, under the name of its card. First come the
 * filters the view was narrowed by, a row each under "Filter" (or one row "None"), so a file read
 * later says which traffic its figures count.
 */
export function tablesCsv(model: SiteModel, filters: Filters = {}): string {
  const rows: Array<ReadonlyArray<string | number>> = [
    TABLE_COLUMNS,
    ...filterRows(filters),
    ["Summary", "Current visitors", model.currentVisitors, `visitors, last ${minutesText(nowMinutes(model.window))}`],
    ["Summary", "Visitors", model.visitors30m, `visitors, last ${minutesText(model.window)}`],
    ["Summary", "Pageviews", model.pageviews30m, `pageviews, last ${minutesText(model.window)}`],
  ];
  for (const list of model.lists) for (const row of list.rows) rows.push([list.title, row.label, row.count, list.unit]);
  return rows.map(csvRow).join("");
}

/** `pulse-shop.example-2026-11-30T14-02-11Z.csv`: the site and the server's time, safe in any file system. */
export function tablesFileName(site: string, serverTime: number): string {
  const stamp = new Date(serverTime).toISOString().slice(0, 19).replaceAll(":", "-");
  return `pulse-${site.replace(/[^\w.-]/g, "-")}-${stamp}Z.csv`;
}

function filterRows(filters: Filters): Array<ReadonlyArray<string>> {
  const params = filterParams(filters);
  if (params.length === 0) return [["Filter", "None", "", "all traffic"]];
  return params.map(([key, value]) => ["Filter", DIMENSIONS.find((dimension) => dimension.key === key)!.title, value, "only traffic with this value"]);
}

/**
 * The server's export of the site's events over the view's window (the session cookie authorizes
 * it), narrowed by the view's filters: the server takes them as the socket URL does. A live view's
 * window is named, not its start: the server counts it back from the download, and the link stays
 * the same from frame to frame (an href that changes is work for the page at every frame). A view
 * rewound to `rewoundTo` (server time) exports the window that ends there.
 */
export function eventsExportHref(site: string, filters: Filters = {}, window: ViewWindow = DEFAULT_WINDOW, rewoundTo?: number): string {
  const span: Array<[string, string]> =
    rewoundTo === undefined
      ? [["window", String(window)]]
      : [
          ["from", new Date(rewoundTo - window * 60_000).toISOString()],
          ["to", new Date(rewoundTo).toISOString()],
        ];
  return `/api/export?${new URLSearchParams([["site", site], ...span, ...filterParams(filters)])}`;
}
