/** What the fuzz test sends, and what the documented rules (docs/protocol.md) say must come back. */
import type { Payload } from "./raw-http.ts";

/** Valid events and bots go here, and nothing else: its export must list each valid event once. */
export const FUZZ_SITE = "fuzz.test";
/** Inputs that are odd but valid (boundaries, unicode): each 202 without X-Pulse-Dropped is one row. */
export const EDGE_SITE = "edge.test";
/** Random mutations, whose validity nobody decided: never checked row by row. */
export const MUTANT_SITE = "mutant.test";

export type Category = "valid" | "bot" | "edge" | "bad-body" | "mutant" | "route" | "auth" | "ws-upgrade" | "raw"
  // Hostile User-Agents and bidi labels (label-cases.ts).
  | "label";

export interface HttpCase {
  kind: "http";
  category: Category;
  /** What was tried, for failure messages. */
  label: string;
  method: string;
  /** Path and query, from the server's root. */
  path: string;
  headers: Record<string, string>;
  body?: Payload;
  /** The statuses the rules allow. */
  expect: readonly number[];
  /** A 4xx must be `{"error": "..."}` (false for HEAD, Bun's own refusals, the HTML login page). */
  jsonError: boolean;
  /** A valid event for FUZZ_SITE: exported exactly once under this path and name. */
  valid?: { path: string; name: string };
  /** Must be answered 202 with this X-Pulse-Dropped reason. */
  dropped?: string;
  /** Sent to EDGE_SITE alone: a 202 without X-Pulse-Dropped is one stored row there. */
  edge?: boolean;
}

export interface RawCase {
  kind: "raw";
  category: "raw";
  label: string;
  payload: Payload;
  /** Close our side right after sending. */
  hangUp?: boolean;
  head?: boolean;
  /** The statuses a response may have. */
  expect: readonly number[];
  /** The server may close the connection without a response. */
  mayClose: boolean;
  /** The server may rightly wait for bytes that never come: we give up after timeoutMs. */
  mayWait: boolean;
  timeoutMs: number;
}

export type FuzzCase = HttpCase | RawCase;

/** Every 4xx and the few other statuses a raw HTTP parser may answer garbage with. */
export const ANY_CLIENT_ERROR: readonly number[] = [400, 404, 405, 408, 411, 413, 414, 431];
