import type { AcceptedEvent } from "../../core/accepted-event.ts";
import { csvRow } from "../../core/csv.ts";
import { normalizeSite } from "../../core/event-input.ts";
import { HttpError } from "../../core/http-error.ts";
import { campaignOfStoredUrl } from "../../core/stored-url.ts";
import type { EventStore } from "../../storage/event-store.ts";
import { errorResponse } from "../responses.ts";

const DAY_MS = 86_400_000;
const ROWS_PER_CHUNK = 500;
const ISO = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export const EXPORT_COLUMNS = [
  "time",
  "site",
  "name",
  "url",
  "path",
  "referrer",
  "source",
  "browser",
  "os",
  "device",
  "country",
  "visitor",
  "props",
  // Last, so that readers of the earlier columns by position are not thrown.
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  "ref",
] as const;

const NO_CAMPAIGN = ["", "", "", "", "", ""] as const;

/**
 * GET /api/export?site=&from=&to=: the stored events of one site as CSV, streamed a chunk of rows
 * at a time from a lazy query, so the export of a year costs the memory of one chunk.
 */
export function exportRoute(url: URL, store: EventStore): Response {
  let rows: Iterator<AcceptedEvent>;
  let site: string;
  let from: number | undefined;
  let to: number | undefined;
  try {
    site = normalizeSite(url.searchParams.get("site") ?? "") ?? "";
    if (!site) throw new HttpError(400, "site is required, e.g. ?site=example.com");
    from = parseTime(url.searchParams.get("from"), "from");
    to = parseTime(url.searchParams.get("to"), "to");
    if (from !== undefined && to !== undefined && from >= to) throw new HttpError(400, "from must be before to");
    rows = store.range({ site, from, to })[Symbol.iterator]();
  } catch (error) {
    return errorResponse(error);
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(EXPORT_COLUMNS)));
    },
    pull(controller) {
      let chunk = "";
      for (let i = 0; i < ROWS_PER_CHUNK; i++) {
        const next = rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += eventRow(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      rows.return?.();
    },
  });
  const name = [site, url.searchParams.get("from"), url.searchParams.get("to")].filter(Boolean).join("_").replace(/[^\w.-]/g, "-");
  return new Response(stream, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="pulse-${name}.csv"` },
  });
}

function eventRow(event: AcceptedEvent): string {
  // Events stored by older versions have no campaign, but their URL still has the query string.
  const campaign = event.campaign ?? campaignOfStoredUrl(event.url);
  return csvRow([
    new Date(event.time).toISOString(),
    event.site,
    event.name,
    event.url,
    event.path,
    event.referrer,
    event.source,
    event.browser,
    event.os,
    event.device,
    event.country,
    event.visitor,
    Object.keys(event.props).length > 0 ? JSON.stringify(event.props) : "",
    ...(campaign ? [campaign.source, campaign.medium, campaign.campaign, campaign.content, campaign.term, campaign.ref] : NO_CAMPAIGN),
  ]);
}

/**
 * An ISO date or date-time, in UTC unless it names a zone. A date alone means the whole day:
 * `from=2026-11-01&to=2026-11-30` covers all of November's first thirty days.
 */
function parseTime(value: string | null, name: "from" | "to"): number | undefined {
  if (value === null || value === "") return undefined;
  const match = ISO.exec(value);
  const time = match ? Date.parse(match[2] && !match[5] ? `${value}Z` : value) : Number.NaN;
  // Date.parse rolls 2026-02-30 over to March: a day that does not exist is an error.
  const realDay = match !== null && !Number.isNaN(time) && new Date(Date.parse(`${match[1]}T00:00:00Z`)).toISOString().startsWith(match[1]!);
  if (Number.isNaN(time) || !realDay) throw new HttpError(400, `${name} must be an ISO date or time, e.g. 2026-11-25 or 2026-11-25T10:00:00Z`);
  return name === "to" && !match![2] ? time + DAY_MS : time;
}
