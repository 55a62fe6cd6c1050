/**
 * How the SQLite store lays events out: in chunks, a row per site per stored batch, its events one
 * JSON array. Stored a row each, an event cost a row and an entry in each of two indexes; in a
 * chunk it costs far less, nearly all of it JSON.stringify (see docs/benchmarks.md#event-chunks).
 */
import type { Campaign } from "../core/ingest/accepted-event.ts";
import type { StoredEvent } from "./event-store.ts";
import { eventProblem } from "../core/ingest/event-shape.ts";

/**
 * A chunk spans at most this much time, so that a range query can seek straight to the first chunk
 * it needs (first >= from - span) and a prune knows that a chunk with old events ends soon after.
 * A batch spans one tick; only a clock step makes a longer one, which is then cut.
 */
export const MAX_CHUNK_SPAN_MS = 60_000;
/** And holds at most this many events, so that reading a page of chunks stays small. */
export const MAX_CHUNK_EVENTS = 1_000;

/** Events of one site, in the order they were appended. */
export interface Chunk {
  site: string;
  /** The earliest and latest time among the events. */
  first: number;
  last: number;
  events: StoredEvent[];
}

/**
 * Cuts a batch into chunks: one per site, unless a site's events span too long or are too many.
 * Each site's chunks keep their events' order.
 */
export function chunksOf(batch: readonly StoredEvent[]): Chunk[] {
  const open = new Map<string, Chunk>();
  const closed: Chunk[] = [];
  for (const event of batch) {
    const chunk = open.get(event.site);
    if (chunk && fits(chunk, event.time)) {
      chunk.events.push(event);
      if (event.time < chunk.first) chunk.first = event.time;
      if (event.time > chunk.last) chunk.last = event.time;
      continue;
    }
    if (chunk) closed.push(chunk);
    // A replaced entry keeps its place in the Map, after the chunk just closed.
    open.set(event.site, { site: event.site, first: event.time, last: event.time, events: [event] });
  }
  return closed.length === 0 ? [...open.values()] : [...closed, ...open.values()];
}

function fits(chunk: Chunk, time: number): boolean {
  return chunk.events.length < MAX_CHUNK_EVENTS && Math.max(chunk.last, time) - Math.min(chunk.first, time) <= MAX_CHUNK_SPAN_MS;
}

/** A chunk row's values, in the order INSERT_CHUNK takes them. */
export type ChunkRow = [site: string, first: number, last: number, count: number, events: string];
export const INSERT_CHUNK = "INSERT INTO chunks (site, first, last, count, events) VALUES (?, ?, ?, ?, ?)";

/** A batch as the rows that store it. Throws as encodeEvents does, before any row is written. */
export function chunkRows(batch: readonly StoredEvent[]): ChunkRow[] {
  return chunksOf(batch).map((chunk) => [chunk.site, chunk.first, chunk.last, chunk.events.length, encodeEvents(chunk.events)]);
}

/**
 * A chunk's events as stored: a JSON array of arrays, each [time, name, visitor, url, path,
 * referrer, source, browser, os, device, country, props or null], then, only for an event whose
 * landing URL named a campaign, [utm_source, utm_medium, utm_campaign, utm_content, utm_term, ref]
 * (chunks written before campaigns were kept have none). The site is the row's. Throws a
 * TypeError naming the field when an event holds a value that could not be read back as it was,
 * as a typed column would refuse it.
 */
export function encodeEvents(events: readonly StoredEvent[]): string {
  const rows = new Array<unknown[]>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    checkEvent(e);
    const row: unknown[] = [e.time, e.name, e.visitor, e.url, e.path, e.referrer, e.source, e.browser, e.os, e.device, e.country, hasProps(e.props) ? e.props : null];
    const c = e.campaign;
    if (c) row.push([c.source, c.medium, c.campaign, c.content, c.term, c.ref]);
    rows[i] = row;
  }
  return JSON.stringify(rows);
}

type CampaignRow = [source: string, medium: string, campaign: string, content: string, term: string, ref: string];
type EncodedEvent = [number, string, number, string, string, string, string, string, string, string, string, Record<string, string> | null, CampaignRow?];

/**
 * The events of a chunk read back, in stored order. Throws a SyntaxError or a TypeError saying what
 * is wrong when the text is not what encodeEvents wrote (a damaged row): readers skip such a chunk.
 */
export function decodeEvents(site: string, json: string): StoredEvent[] {
  const rows: unknown = JSON.parse(json);
  if (!Array.isArray(rows)) throw new TypeError("the events are not a list");
  const events = new Array<StoredEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!Array.isArray(row)) throw new TypeError(`event ${i} is not a list`);
    const [time, name, visitor, url, path, referrer, source, browser, os, device, country, props, campaign] = row as EncodedEvent;
    // Checked as locals in one expression, this adds little to decoding (see docs/benchmarks.md#chunk-decoding).
    if (
      typeof time !== "number" || typeof name !== "string" || typeof visitor !== "number" || typeof url !== "string" ||
      typeof path !== "string" || typeof referrer !== "string" || typeof source !== "string" || typeof browser !== "string" ||
      typeof os !== "string" || typeof device !== "string" || typeof country !== "string" || typeof props !== "object" || Array.isArray(props) ||
      (campaign !== undefined && !isCampaignRow(campaign))
    ) {
      throw new TypeError(`event ${i} is not [time, name, visitor, url, path, referrer, source, browser, os, device, country, props, campaign?]`);
    }
    events[i] = { time, site, name, visitor, url, path, referrer, source, browser, os, device, country, props: props ?? {} };
    if (campaign) events[i]!.campaign = campaignOf(campaign);
  }
  return events;
}

function isCampaignRow(value: unknown): value is CampaignRow {
  return Array.isArray(value) && value.length === CAMPAIGN_FIELDS.length && value.every((field) => typeof field === "string");
}

function campaignOf([source, medium, campaign, content, term, ref]: CampaignRow): Campaign {
  return { source, medium, campaign, content, term, ref };
}

const CAMPAIGN_FIELDS = ["source", "medium", "campaign", "content", "term", "ref"] as const;

function checkEvent(event: StoredEvent): void {
  const problem = eventProblem(event);
  if (problem) throw new TypeError(problem);
}

function hasProps(props: Record<string, string>): boolean {
  for (const _ in props) return true;
  return false;
}
