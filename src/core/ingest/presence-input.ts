import { HttpError } from "../../server/http-error.ts";
import { parseDomains, parseJsonObject, parseTab, parseUrl, stringField } from "./event-input.ts";

/** What a tracker may say of its tab: the server alone says "held" and "released" (live-widget sockets). */
export type TrackerPresence = "here" | "gone";

/** A validated presence signal as the tracker sent it to POST /api/presence. */
export interface PresenceInput {
  url: URL;
  domains: string[];
  tab: string;
  state: TrackerPresence;
  /** Sites with hash-based routing count `#/route` as part of the path, as events do. */
  hashMode: boolean;
}

/**
 * Parses a presence signal's body: `{"d": domain, "u": url, "t": tab id, "s": "here" | "gone"}`
 * (`h: 1` as on events for hash routes). Throws an HttpError that says what is wrong.
 */
export function parsePresenceBody(body: string): PresenceInput {
  const raw = parseJsonObject(body);
  const state = raw.s;
  if (state !== "here" && state !== "gone") throw new HttpError(400, 's (the signal) must be "here" or "gone"');
  const url = parseUrl(stringField(raw, "url", "u"));
  return {
    url,
    domains: parseDomains(stringField(raw, "domain", "d"), url),
    tab: parseTab(raw.t, true)!,
    state,
    hashMode: raw.h === 1 || raw.h === true,
  };
}
