import type { AcceptedEvent } from "../../core/ingest/accepted-event.ts";
import { csvRow } from "../csv.ts";
import { normalizeSite } from "../../core/ingest/event-input.ts";
import { HttpError } from "../http-error.ts";
import { campaignOfStoredUrl } from "../../core/ingest/stored-url.ts";
import type { ExportQuery, ExportSource } from "../../storage/event-store.ts";
import { errorResponse, jsonError } from "../responses.ts";
import { hitOf } from "../../core/stats/site-stats.ts";
import { DEFAULT_WINDOW, isFilterError, matcherOf, viewFromQuery, type CanonicalView } from "../../core/wire/view-filters.ts";

const DAY_MS = 86_400_000;
/**
 * Rows written per turn of the event loop: a short step of work (see
 * docs/benchmarks.md#export-rows_per_step), so ingest, /healthz and the tick are answered between
 * steps while exports stream.
 */
const ROWS_PER_STEP = 500;
/**
 * Exports streaming at once per server process, at most: each takes a share of the process's time
 * and of the disk for as long as its client reads. One more is answered 503 with Retry-After.
 */
export const MAX_CONCURRENT_EXPORTS = 4;
const RETRY_AFTER_SECONDS = 10;
/**
 * An export whose client has taken nothing for this long is ended, and its place given back: the
 * transport's idle timeout is lifted for exports, since it also cut clients that read steadily.
 */
export const EXPORT_STALL_MS = 30_000;
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

export type ExportRoute = (url: URL, peer?: { keepOpen?(): void }) => Response;

/** Which stored events an export keeps: all of them, or those its filters match. */
type EventTest = ((event: AcceptedEvent) => boolean) | undefined;

/**
 * GET /api/export?site=&from=&to=&page=…&window=: the stored events of one site as CSV, only those
 * that match all the filters given (the socket URL's, so a filtered view downloads its own events),
 * since `from` or over the last `window` minutes (1, 5 or 30, as a view's window),
 * streamed from a lazy query a step of rows at a time, each step in a turn of the event loop of
 * its own and only once the client has taken the previous one: the export of a year costs the
 * memory of one step and never holds the process up for longer than one step. At most `maxConcurrent` stream at once.
 */
export function createExportRoute(store: ExportSource, maxConcurrent = MAX_CONCURRENT_EXPORTS, stallMs = EXPORT_STALL_MS, now = Date.now): ExportRoute {
  let running = 0;
  return (url, peer) => {
    let query: ExportQuery;
    let keep: EventTest;
    try {
      const view = exportView(url);
      query = exportQuery(url, view, now());
      keep = eventTest(view);
    } catch (error) {
      return errorResponse(error);
    }
    if (running >= maxConcurrent) {
      const message = `the server is already streaming ${maxConcurrent} exports, its most at once; retry in ${RETRY_AFTER_SECONDS} seconds`;
      return jsonError(503, message, { "retry-after": String(RETRY_AFTER_SECONDS) });
    }
    running++;
    let finished = false;
    const stream = csvStream(iteratorOf(store.range(query)), keep, stallMs, () => {
      if (!finished) running--;
      finished = true;
    });
    peer?.keepOpen?.();
    // A window's export is named after the moment it starts from, as one asked `from` is.
    const from = url.searchParams.get("from") ?? (url.searchParams.has("window") ? new Date(query.from!).toISOString() : null);
    const name = [query.site, from, url.searchParams.get("to")].filter(Boolean).join("_").replace(/[^\w.-]/g, "-");
    return new Response(stream, {
      headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="pulse-${name}.csv"` },
    });
  };
}

/** Throws an HttpError (400) saying what is wrong with the parameters. */
function exportQuery(url: URL, view: CanonicalView, now: number): ExportQuery {
  const site = normalizeSite(url.searchParams.get("site") ?? "");
  if (!site) throw new HttpError(400, "site is required, e.g. ?site=example.com");
  // A view's window of 30 is not written in its key, so the parameter itself says whether one was given.
  const windowed = url.searchParams.has("window");
  if (windowed && url.searchParams.has("from")) throw new HttpError(400, "give from or window, not both");
  const from = windowed ? now - (view.window ?? DEFAULT_WINDOW) * 60_000 : parseTime(url.searchParams.get("from"), "from");
  const to = parseTime(url.searchParams.get("to"), "to");
  if (from !== undefined && to !== undefined && from >= to) throw new HttpError(400, "from must be before to");
  return { site, from, to };
}

/** The filters and window of the socket URL's query; throws an HttpError (400) with the reason when one is wrong. */
function exportView(url: URL): CanonicalView {
  const view = viewFromQuery(url.searchParams);
  if (isFilterError(view)) throw new HttpError(400, view.error);
  return view;
}

/** Undefined when there are no filters. */
function eventTest(view: CanonicalView): EventTest {
  if (Object.keys(view.filters).length === 0) return undefined;
  // The live views' own test, on the hit the view would have recorded.
  const matches = matcherOf(view.filters);
  return (event) => matches(hitOf(event));
}

/** `finished` is called when the stream ends, however it ends: read to the end, failed, or abandoned by the client. */
/** The rows of a store read synchronously (SQLite) or not (PostgreSQL), pulled one at a time. */
function iteratorOf(rows: Iterable<AcceptedEvent> | AsyncIterable<AcceptedEvent>): Iterator<AcceptedEvent> | AsyncIterator<AcceptedEvent> {
  return Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
}

function csvStream(rows: Iterator<AcceptedEvent> | AsyncIterator<AcceptedEvent>, keep: EventTest, stallMs: number, finished: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stall: ReturnType<typeof setTimeout> | undefined;
  const end = () => {
    clearTimeout(stall);
    finished();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(EXPORT_COLUMNS)));
    },
    // Called again only once the client has taken the step enqueued (the high-water mark is one
    // step). Without the wait, Bun calls it again at once and streams the whole export in one turn.
    async pull(controller) {
      // A client that takes nothing more for stallMs is gone, or as good as: the export ends.
      clearTimeout(stall);
      stall = setTimeout(() => {
        end();
        void rows.return?.();
        controller.error(new Error(`the client took nothing for ${stallMs / 1000} s`));
      }, stallMs);
      await nextTurn();
      let step = "";
      try {
        // A step reads ROWS_PER_STEP rows, however few match: one with none sends an empty chunk.
        for (let i = 0; i < ROWS_PER_STEP; i++) {
          // Awaited only where the store answers asynchronously: a synchronous page stays one turn.
          let next = rows.next();
          if (next instanceof Promise) next = await next;
          if (next.done) {
            if (step) controller.enqueue(encoder.encode(step));
            controller.close();
            end();
            return;
          }
          if (keep === undefined || keep(next.value)) step += eventRow(next.value);
        }
      } catch (error) {
        // The store was closed (shutdown) or failed: the client gets a download cut short.
        end();
        throw error;
      }
      controller.enqueue(encoder.encode(step));
    },
    cancel() {
      end();
      void rows.return?.();
    },
  });
}

/** Lets everything already waiting (requests, ticks, other exports' steps) run first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
