import { countryFromTimeZone, type CountryLookup } from "./country.ts";
import { pagePath, parseEventBody } from "./event-input.ts";
import type { Hub } from "./hub.ts";
import type { FeedItem } from "./protocol.ts";
import { referrerSource } from "./referrer-source.ts";
import { PAGEVIEW, type Hit } from "./site-stats.ts";
import { clipLabel } from "./text.ts";
import { ClientCache, UNKNOWN } from "./user-agent.ts";
import { DailySalts, visitorId } from "./visitor-id.ts";

/** What the transport knows about an ingest request. The IP is used for the visitor hash only. */
export interface IngestRequest {
  body: string;
  userAgent: string;
  ip: string;
  time: number;
}

export type DropReason = "bot" | "site-limit";

export type IngestResult = { accepted: string[]; dropped: Array<{ site: string; reason: DropReason }> };

/** Labels longer than this are cut: they are for reading on a dashboard, and keep frames small. */
export const MAX_LABEL_CHARS = 100;
const MAX_FEED_PROPS = 10;
const MAX_FEED_PROP_CHARS = 60;

/**
 * The ingest pipeline: validate, drop bots, identify the visitor without storing who they are,
 * derive the source, device and country, and record the hit for each site. Throws HttpError on bad input.
 */
export interface IngestorOptions {
  salts?: DailySalts;
  clients?: ClientCache;
  /** A GeoIP database, when the operator supplied one; it wins over the time zone. */
  geoip?: CountryLookup;
}

export class Ingestor {
  private readonly salts: DailySalts;
  private readonly clients: ClientCache;
  private readonly geoip: CountryLookup | undefined;

  constructor(
    private readonly hub: Hub,
    options: IngestorOptions = {},
  ) {
    this.salts = options.salts ?? new DailySalts();
    this.clients = options.clients ?? new ClientCache();
    this.geoip = options.geoip;
  }

  ingest(request: IngestRequest): IngestResult {
    const input = parseEventBody(request.body);
    const client = this.clients.describe(request.userAgent);
    if (client.bot) return { accepted: [], dropped: input.domains.map((site) => ({ site, reason: "bot" })) };

    const name = input.name.toLowerCase() === PAGEVIEW ? PAGEVIEW : clipLabel(input.name, MAX_LABEL_CHARS);
    const page = clipLabel(pagePath(input), MAX_LABEL_CHARS);
    const source = clipLabel(referrerSource(input.referrer, input.url), MAX_LABEL_CHARS);
    // The address is looked up and forgotten: only the country is kept.
    const country = this.geoip?.(request.ip) ?? countryFromTimeZone(input.timeZone) ?? UNKNOWN;
    const salts = this.salts.at(request.time);
    const result: IngestResult = { accepted: [], dropped: [] };

    for (const site of input.domains) {
      const hit: Hit = {
        time: request.time,
        visitor: this.identify(salts, site, request),
        name,
        page,
        source,
        browser: client.browser,
        os: client.os,
        device: client.device,
        country,
        props: input.props,
      };
      if (this.hub.record(site, hit, () => feedItem(hit))) result.accepted.push(site);
      else result.dropped.push({ site, reason: "site-limit" });
    }
    return result;
  }

  /** Today's id, unless the visitor is still active under yesterday's salt (a visit across midnight). */
  private identify(salts: Uint8Array[], site: string, request: IngestRequest): number {
    const today = visitorId(salts[0]!, site, request.ip, request.userAgent);
    const yesterdaySalt = salts[1];
    if (!yesterdaySalt || this.hub.hasVisitor(site, today)) return today;
    const yesterday = visitorId(yesterdaySalt, site, request.ip, request.userAgent);
    return this.hub.hasVisitor(site, yesterday) ? yesterday : today;
  }
}

function feedItem(hit: Hit): FeedItem {
  const item: FeedItem = { t: hit.time, n: hit.name, p: hit.page, s: hit.source, d: hit.device, b: hit.browser, o: hit.os, c: hit.country };
  const props = Object.entries(hit.props);
  if (hit.name !== PAGEVIEW && props.length > 0) {
    item.props = Object.fromEntries(
      props.slice(0, MAX_FEED_PROPS).map(([key, value]) => [clipLabel(key, MAX_FEED_PROP_CHARS), clipLabel(value, MAX_FEED_PROP_CHARS)]),
    );
  }
  return item;
}
