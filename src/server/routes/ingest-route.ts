import { addressKey } from "../../core/ingest/address-key.ts";
import type { Reply } from "../transport.ts";
import { MAX_BODY_BYTES } from "../../core/ingest/event-input.ts";
import { HttpError } from "../http-error.ts";
import type { IngestRequest, IngestResult, Ingestor } from "../../core/ingest/ingest.ts";
import type { DropReason, Metrics } from "../../core/metrics.ts";
import type { RateLimiter } from "../../core/ingest/rate-limiter.ts";
import { errorResponse, INGEST_CORS_HEADERS, jsonError } from "../responses.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Events a second an address may still send while the server is overloaded: a browser sends a few
 * at most, and an office behind one address a few dozen visitors' worth.
 */
export const EVENTS_PER_ADDRESS_WHILE_OVERLOADED = 20;

export interface IngestDeps {
  ingestor: Ingestor;
  metrics: Metrics;
  rateLimiter: RateLimiter | undefined;
  now: () => number;
  /** Told of each request with its time, before it is read. */
  onRequest: ((time: number) => void) | undefined;
  /** True while the server cannot pass more events on without losing some (see EventBus.congested). */
  overloaded: (() => boolean) | undefined;
  /** True while the server cannot take even an address's share without risking loss: every event is refused (see EventBus.full). */
  full: (() => boolean) | undefined;
  /** While overloaded, what each address may still send (see EVENTS_PER_ADDRESS_WHILE_OVERLOADED). */
  overloadLimiter: RateLimiter;
  /** The headers of a 202, built once (see ingestHeaders). */
  acceptedHeaders: Headers;
  /** The headers of every other answer. */
  otherHeaders: Record<string, string>;
  /** Builds the 202s and the preflight's 204 (see Reply). */
  reply: Reply;
}

/**
 * Ingest's headers, built once with `extra` on each: ingest is the hot path, and a 202 is the same
 * every time. The other CORS headers matter only to the preflight; a plain answer needs just the
 * origin (Bun adds text/plain itself), as a Headers object, which a Response copies faster than it
 * reads a plain one.
 */
export function ingestHeaders(extra: Record<string, string> = {}): Pick<IngestDeps, "acceptedHeaders" | "otherHeaders"> {
  return {
    acceptedHeaders: new Headers({ "access-control-allow-origin": "*", ...extra }),
    otherHeaders: { ...INGEST_CORS_HEADERS, ...extra },
  };
}

/**
 * What a route does with a body once the checks it shares with the others are passed: events
 * count in the events' figures; presence signals (POST /api/presence) in their own, and nowhere
 * else, since they are not events.
 */
export interface IngestEndpoint {
  /** What is sent to it, for its 405. */
  sends: string;
  accept(ingestor: Ingestor, request: IngestRequest): IngestResult;
  /** Counts an accepted request's result. */
  accepted(metrics: Metrics, result: IngestResult): void;
  /** Counts a request refused before or while it was read. */
  dropped(metrics: Metrics, reason: DropReason): void;
}

export const EVENTS: IngestEndpoint = {
  sends: "events",
  accept: (ingestor, request) => ingestor.ingest(request),
  accepted(metrics, result) {
    metrics.eventsAccepted += result.accepted.length;
    for (const { reason } of result.dropped) metrics.eventsDropped[reason]++;
  },
  dropped: (metrics, reason) => metrics.eventsDropped[reason]++,
};

export const PRESENCE_SIGNALS: IngestEndpoint = {
  sends: "presence signals",
  accept: (ingestor, request) => ingestor.presence(request),
  accepted: (metrics, result) => (metrics.presenceSignals += result.accepted.length),
  dropped: () => {},
};

/**
 * POST /api/event: the Plausible-compatible ingest endpoint, open to every origin; with
 * PRESENCE_SIGNALS, POST /api/presence, which takes the same checks and answers the same way.
 */
export async function ingestRoute(request: Request, address: string, deps: IngestDeps, endpoint: IngestEndpoint = EVENTS): Promise<Response> {
  const cors = deps.otherHeaders;
  if (request.method === "OPTIONS") return deps.reply(204, null, cors);
  if (request.method !== "POST") return jsonError(405, `use POST to send ${endpoint.sends}`, { ...cors, allow: "POST, OPTIONS" });
  const time = deps.now();
  deps.onRequest?.(time);
  // An IPv6 /64 is one address; an IPv4 address is its own key, and nothing is computed without a limit.
  const limitKey = deps.rateLimiter ? addressKey(address) : address;
  if (deps.rateLimiter && !deps.rateLimiter.take(limitKey, time)) {
    endpoint.dropped(deps.metrics, "rate-limited");
    return jsonError(429, `more than ${deps.rateLimiter.rate} events per second from one address`, {
      ...cors,
      "retry-after": String(deps.rateLimiter.retryAfter(limitKey)),
    });
  }
  let overloadKey = chargeWhileOverloaded(deps, address, time, undefined);
  if (overloadKey === null) return refuseOverloaded(endpoint, deps);
  try {
    refuseDeclaredOversize(request);
    let bytes: Uint8Array;
    try {
      // The one await of the hot path.
      bytes = await request.bytes();
    } catch {
      // The client hung up before the whole body arrived: its mistake, not an unexpected error.
      throw new HttpError(400, "the body was cut off");
    }
    // The server may have become overloaded while the body was on its way: the requests in flight
    // then are held to their address's share too, not all accepted, or refused if it is full.
    overloadKey = chargeWhileOverloaded(deps, address, time, overloadKey);
    if (overloadKey === null) return refuseOverloaded(endpoint, deps);
    const body = decodeBody(bytes);
    const result = endpoint.accept(deps.ingestor, { body, userAgent: request.headers.get("user-agent") ?? "", ip: address, time });
    // An event per site named: the first was paid for before the body was read.
    deps.rateLimiter?.charge(limitKey, time, result.accepted.length + result.dropped.length - 1);
    if (overloadKey !== undefined) deps.overloadLimiter.charge(overloadKey, time, result.accepted.length + result.dropped.length - 1);
    endpoint.accepted(deps.metrics, result);
    // Like Plausible: a dropped event is still a 202, so senders cannot probe the filters, but the header tells an operator why.
    const dropped = result.accepted.length === 0 ? result.dropped[0]?.reason : undefined;
    const headers = deps.acceptedHeaders;
    if (dropped) return deps.reply(202, "ok", withHeader(headers, "x-pulse-dropped", dropped));
    // Stored, but a site it names had no place in the live figures when it arrived.
    if (result.notLive) return deps.reply(202, "ok", withHeader(headers, "x-pulse-not-live", "site-limit"));
    return deps.reply(202, "ok", headers);
  } catch (error) {
    endpoint.dropped(deps.metrics, "invalid");
    return errorResponse(error, cors);
  }
}

/**
 * While the server catches up, each address may still send a visitor's share: a flood from one
 * address is refused, and the visitors of other addresses are not. Nearly full, it takes nothing
 * from anyone: what it would take could not be passed on. Asked before the body is read and again
 * after; `charged` is the key the request was already charged to, if any, so it is charged once.
 * Returns the key it is charged to (undefined while not overloaded), or null: refuse it.
 */
function chargeWhileOverloaded(deps: IngestDeps, address: string, time: number, charged: string | undefined): string | undefined | null {
  if (deps.full?.()) return null;
  if (charged !== undefined || !deps.overloaded?.()) return charged;
  const key = addressKey(address);
  return deps.overloadLimiter.take(key, time) ? key : null;
}

function refuseOverloaded(endpoint: IngestEndpoint, deps: IngestDeps): Response {
  endpoint.dropped(deps.metrics, "overloaded");
  return jsonError(503, "the server is catching up with a flood of events; send this one again shortly", { ...deps.otherHeaders, "retry-after": "1" });
}

function withHeader(accepted: Headers, name: string, value: string): Headers {
  const headers = new Headers(accepted);
  headers.set(name, value);
  return headers;
}

function refuseDeclaredOversize(request: Request): void {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
}

function decodeBody(bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_BODY_BYTES) throw new HttpError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  if (bytes.byteLength === 0) throw new HttpError(400, "body is empty: send a JSON event");
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "body is not valid UTF-8");
  }
}
