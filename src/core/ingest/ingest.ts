import { PRESENCE_EVENT, type AcceptedEvent } from "./accepted-event.ts";
import { countryFromTimeZone, type CountryLookup } from "./country.ts";
import { NO_PROPS, parseEventBody } from "./event-input.ts";
import { parsePresenceBody } from "./presence-input.ts";
import { HttpError } from "../../server/http-error.ts";
import type { Hub } from "../stats/hub.ts";
import { referrerSource } from "./referrer-source.ts";
import { PAGEVIEW } from "../stats/site-stats.ts";
import { campaignOf, pagePathOf, storedPageUrl, storedReferrer } from "./stored-url.ts";
import { clipLabel, MAX_LABEL_CHARS } from "./text.ts";
import { ClientCache, readUserAgent, UNKNOWN } from "./user-agent.ts";
import { DailySalts, visitorId } from "./visitor-id.ts";

function botsOnly(domains: readonly string[]): IngestResult {
  return { accepted: [], dropped: domains.map((site) => ({ site, reason: "bot" })) };
}

/** What the transport knows about an ingest request. The IP is used for the visitor hash only. */
export interface IngestRequest {
  body: string;
  userAgent: string;
  ip: string;
  time: number;
}

/**
 * Why the pipeline answers an event without counting it. Declared here only: the metrics'
 * DropReason is these and the ingest route's own, and its counters name every reason, so the
 * compiler asks for a new one's counter.
 */
export type IngestDropReason = "bot" | "site-not-allowed";

/**
 * `accepted` are counted and stored; `notLive`, when set, names those of them that arrived while the
 * live site cap was full without their site: stored all the same, live only if the site earns a place.
 */
export type IngestResult = { accepted: string[]; dropped: Array<{ site: string; reason: IngestDropReason }>; notLive?: string[] };

export interface IngestorOptions {
  salts?: DailySalts;
  clients?: ClientCache;
  /** A GeoIP database, when the operator supplied one; it wins over the time zone. */
  geoip?: CountryLookup;
  /** The only sites accepted (--sites); undefined accepts any. */
  allowedSites?: ReadonlySet<string>;
  /** Store page and referrer URLs with their query strings (--keep-query); by default they are dropped. */
  keepQuery?: boolean;
  /**
   * Receives every accepted event. The ingestor records nothing itself: the server sends each
   * tick's events over the event bus, and every process records them in the bus's one order.
   */
  onAccepted?: (event: AcceptedEvent) => void;
}

/**
 * The ingest pipeline: validate, drop bots, identify the visitor without storing who they are,
 * derive the source, device and country, and record the hit for each site. Throws HttpError on bad input.
 */
export class Ingestor {
  private readonly salts: DailySalts;
  private readonly clients: ClientCache;
  /** Sites let in under the site cap whose events the hub has not seen yet. */
  private readonly newSites = new Set<string>();

  constructor(
    private readonly hub: Hub,
    private readonly options: IngestorOptions = {},
  ) {
    this.salts = options.salts ?? new DailySalts();
    this.clients = options.clients ?? new ClientCache();
  }

  ingest(request: IngestRequest): IngestResult {
    const input = parseEventBody(request.body);
    const userAgent = readUserAgent(request.userAgent);
    const client = this.clients.describe(userAgent);
    if (client.bot) return botsOnly(input.domains);

    const name = input.name.toLowerCase() === PAGEVIEW ? PAGEVIEW : clipLabel(input.name, MAX_LABEL_CHARS);
    if (name === "") throw new HttpError(400, "event name has no visible characters");
    const pagePath = pagePathOf(input.url, input.hashMode);
    const page = clipLabel(pagePath, MAX_LABEL_CHARS);
    const campaign = campaignOf(input.url);
    const source = clipLabel(referrerSource(input.referrer, input.url, campaign), MAX_LABEL_CHARS);
    // The address is looked up and forgotten: only the country is kept.
    const country = clipLabel(this.options.geoip?.(request.ip) ?? countryFromTimeZone(input.timeZone) ?? UNKNOWN, MAX_LABEL_CHARS) || UNKNOWN;
    const keepQuery = this.options.keepQuery === true;
    const url = storedPageUrl(input.url, pagePath, keepQuery);
    const referrer = storedReferrer(input.referrer, keepQuery);
    const salts = this.salts.at(request.time);
    const result: IngestResult = { accepted: [], dropped: [] };

    for (const site of input.domains) {
      if (!this.allows(site, result)) continue;
      if (!this.admits(site)) (result.notLive ??= []).push(site);
      // Built whole, in one literal: it is made for every event, and kept until the tick stores it.
      this.options.onAccepted?.({
        time: request.time,
        site,
        name,
        visitor: this.identify(salts, site, request.ip, userAgent),
        url,
        path: page,
        referrer,
        campaign,
        source,
        browser: client.browser,
        os: client.os,
        device: client.device,
        country,
        props: input.props,
        tab: input.tab,
      });
    }
    return result;
  }

  /**
   * A presence signal (POST /api/presence): an event per site named, carrying the tab and what it
   * says, that moves the tab and nothing else (see AcceptedEvent.presence). Bots and sites not
   * allowed are dropped as events are; the live site cap does not apply (presence is not a site's
   * live figures). Throws HttpError on bad input.
   */
  presence(request: IngestRequest): IngestResult {
    const input = parsePresenceBody(request.body);
    const userAgent = readUserAgent(request.userAgent);
    const client = this.clients.describe(userAgent);
    if (client.bot) return botsOnly(input.domains);
    const pagePath = pagePathOf(input.url, input.hashMode);
    const url = storedPageUrl(input.url, pagePath, this.options.keepQuery === true);
    const salts = this.salts.at(request.time);
    const result: IngestResult = { accepted: [], dropped: [] };
    for (const site of input.domains) {
      if (!this.allows(site, result)) continue;
      this.options.onAccepted?.({
        time: request.time,
        site,
        name: PRESENCE_EVENT,
        visitor: this.identify(salts, site, request.ip, userAgent),
        url,
        path: clipLabel(pagePath, MAX_LABEL_CHARS),
        referrer: "",
        source: "",
        browser: client.browser,
        os: client.os,
        device: client.device,
        country: "",
        props: NO_PROPS,
        tab: input.tab,
        presence: input.state,
      });
    }
    return result;
  }

  /** False, with the reason in `result`, for a site outside --sites; else the site is accepted. */
  private allows(site: string, result: IngestResult): boolean {
    if (this.options.allowedSites && !this.options.allowedSites.has(site)) {
      result.dropped.push({ site, reason: "site-not-allowed" });
      return false;
    }
    result.accepted.push(site);
    return true;
  }

  /**
   * Called once a batch is in the hub (back from the bus, which may be much later than it was
   * sent): its sites are now the hub's to count, or to keep out.
   */
  settle(batch: readonly AcceptedEvent[]): void {
    if (this.newSites.size === 0) return;
    for (const event of batch) this.newSites.delete(event.site);
  }

  /**
   * The live site cap, checked here so the sender hears of it: false for a new site while the cap
   * is full (its events are stored all the same). A site let in counts against the cap until the
   * hub has its events, so one process never promises more sites than the cap. The hub alone
   * decides what is live: with several worker processes, sites first seen at different workers
   * before their batches meet may pass here together, and every hub keeps the same ones out; a
   * site kept out here may still earn a place in the hub (see Hub.siteFor).
   */
  private admits(site: string): boolean {
    if (this.hub.hasSite(site) || this.newSites.has(site)) return true;
    if (this.hub.siteCount() + this.newSites.size >= this.hub.maxSites) return false;
    this.newSites.add(site);
    return true;
  }

  /** Today's id, unless the visitor is still active under yesterday's salt (a visit across midnight). */
  private identify(salts: readonly Uint8Array[], site: string, ip: string, userAgent: string): number {
    const today = visitorId(salts[0]!, site, ip, userAgent);
    const yesterdaySalt = salts[1];
    if (!yesterdaySalt || this.hub.hasVisitor(site, today)) return today;
    const yesterday = visitorId(yesterdaySalt, site, ip, userAgent);
    return this.hub.hasVisitor(site, yesterday) ? yesterday : today;
  }
}
