import { HttpError } from "../../server/http-error.ts";
import { cleanText } from "./text.ts";

/** Plausible's limits, so that its tracker and API clients behave the same against Pulse. */
export const MAX_BODY_BYTES = 8 * 1024;
export const MAX_NAME_LENGTH = 120;
export const MAX_URL_LENGTH = 2000;
export const MAX_PROPS = 30;
export const MAX_PROP_KEY_LENGTH = 300;
export const MAX_PROP_VALUE_LENGTH = 2000;
export const MAX_DOMAINS = 10;

/** A validated event as the client described it, before anything is derived from it. */
export interface EventInput {
  name: string;
  url: URL;
  /** One or more sites to count the event for (Plausible allows `data-domain="a.com,b.com"`). */
  domains: string[];
  referrer: string;
  props: Record<string, string>;
  /** Sites with hash-based routing count `#/route` as part of the path. */
  hashMode: boolean;
  /** The browser's IANA time zone, which Pulse's tracker sends to tell the country without an IP database. */
  timeZone: string | undefined;
  /** The tracker's tab id (`t`), when it sent one. */
  tab: string | undefined;
}

export const MAX_TIME_ZONE_LENGTH = 64;

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;

/**
 * Parses a body of the Plausible Events API: long keys (`name`, `url`, `domain`, `referrer`,
 * `props`) or the short ones its script sends as text/plain (`n`, `u`, `d`, `r`, `p`, `h`).
 * Throws an HttpError that says what is wrong.
 */
export function parseEventBody(body: string): EventInput {
  const raw = parseJsonObject(body);

  const name = stringField(raw, "name", "n");
  if (name === undefined || name.trim() === "") throw new HttpError(400, "missing event name (name or n)");
  if (name.length > MAX_NAME_LENGTH) throw new HttpError(400, `event name is longer than ${MAX_NAME_LENGTH} characters`);

  const url = parseUrl(stringField(raw, "url", "u"));
  const domains = parseDomains(stringField(raw, "domain", "d"), url);
  const referrer = stringField(raw, "referrer", "r") ?? "";
  if (referrer.length > MAX_URL_LENGTH) throw new HttpError(400, `referrer is longer than ${MAX_URL_LENGTH} characters`);

  return {
    name: name.trim(),
    url,
    domains,
    referrer,
    props: parseProps(raw.props ?? raw.p),
    hashMode: raw.hashMode === true || raw.h === 1 || raw.h === true,
    timeZone: parseTimeZone(stringField(raw, "timezone", "tz")),
    tab: parseTab(raw.t, false),
  };
}

/** A tab id as the tracker makes it (docs/protocol.md, "Presence"). */
const TAB_ID = /^[A-Za-z0-9]{8,16}$/;

/** `t`: optional on an event, required on a presence signal. */
export function parseTab(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new HttpError(400, "missing tab id (t)");
    return undefined;
  }
  if (typeof value !== "string" || !TAB_ID.test(value)) throw new HttpError(400, "t (the tab id) must be 8 to 16 letters and digits");
  return value;
}

/** A body that must be one JSON object. */
export function parseJsonObject(body: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new HttpError(400, "body must be a JSON object");
  }
  return json as Record<string, unknown>;
}

export function stringField(raw: Record<string, unknown>, long: string, short: string): string | undefined {
  const value = raw[long] ?? raw[short];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new HttpError(400, `${long} must be a string`);
  return value;
}

function parseTimeZone(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.length > MAX_TIME_ZONE_LENGTH) throw new HttpError(400, `timezone is longer than ${MAX_TIME_ZONE_LENGTH} characters`);
  return value;
}

export function parseUrl(value: string | undefined): URL {
  if (value === undefined || value === "") throw new HttpError(400, "missing url (url or u)");
  if (value.length > MAX_URL_LENGTH) throw new HttpError(400, `url is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HttpError(400, "url is not a valid absolute URL");
  }
  // Each read of a URL's part builds a new string: read it once.
  const protocol = url.protocol;
  if (protocol !== "http:" && protocol !== "https:") throw new HttpError(400, "url must be http or https");
  return url;
}

/** A site name as dashboards and ingest use it: a lower-case host name, or null if it is not one. */
export function normalizeSite(value: string): string | null {
  const site = value.trim().toLowerCase();
  if (!DOMAIN.test(site)) return null;
  const colon = site.lastIndexOf(":");
  if (colon === -1) return site;
  // A port as a browser writes it: 1 to 65535, without leading zeros (":08080" would be another site).
  const port = site.slice(colon + 1);
  return port[0] !== "0" && Number(port) <= 65_535 ? site : null;
}

export function parseDomains(value: string | undefined, url: URL): string[] {
  // Nearly every event names one domain: no list to split, filter and deduplicate.
  if (value === undefined || !value.includes(",")) return [validDomain(value?.trim() || url.host)];
  const names = value.split(",").map((domain) => domain.trim()).filter(Boolean);
  if (names.length === 0) throw new HttpError(400, "domain is empty");
  if (names.length > MAX_DOMAINS) throw new HttpError(400, `more than ${MAX_DOMAINS} domains`);
  return [...new Set(names.map(validDomain))];
}

function validDomain(name: string): string {
  const site = normalizeSite(name);
  if (!site) throw new HttpError(400, `domain ${JSON.stringify(name.slice(0, 100))} is not a valid host name`);
  return site;
}

/** Shared by every event without props (nearly all): nothing writes to an event's props. */
export const NO_PROPS: Record<string, string> = Object.freeze({});

function parseProps(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return NO_PROPS;
  if (typeof value === "string") {
    // Older Plausible scripts send props as a JSON-encoded string.
    try {
      value = JSON.parse(value);
    } catch {
      throw new HttpError(400, "props must be an object");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "props must be an object");
  const entries = Object.entries(value);
  if (entries.length > MAX_PROPS) throw new HttpError(400, `more than ${MAX_PROPS} props`);
  const props: Record<string, string> = {};
  for (const [key, prop] of entries) {
    if (key.length === 0 || key.length > MAX_PROP_KEY_LENGTH) {
      throw new HttpError(400, `prop names must be 1 to ${MAX_PROP_KEY_LENGTH} characters`);
    }
    if (prop === null || prop === undefined) continue;
    if (typeof prop !== "string" && typeof prop !== "number" && typeof prop !== "boolean") {
      throw new HttpError(400, `prop ${JSON.stringify(key.slice(0, 50))} must be a string, number or boolean`);
    }
    const text = String(prop);
    if (text.length > MAX_PROP_VALUE_LENGTH) {
      throw new HttpError(400, `prop ${JSON.stringify(key.slice(0, 50))} is longer than ${MAX_PROP_VALUE_LENGTH} characters`);
    }
    // Stored and exported as they are kept here: cleaned as labels are, but not cut. A prop whose
    // name shows nothing is left out, as one without a value is: the event itself still counts.
    const name = cleanText(key);
    if (name !== "") props[name] = cleanText(text);
  }
  return props;
}
