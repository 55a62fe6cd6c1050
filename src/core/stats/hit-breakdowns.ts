import type { Campaign } from "../ingest/accepted-event.ts";
import { clipLabel, MAX_LABEL_CHARS } from "../ingest/text.ts";
import { EVENT_PROP_VALUES, TOP_LIST_SIZE, type Stats, type TopList } from "../wire/protocol.ts";
import { OTHER_LABEL, WINDOW_BUCKETS, WindowedCounter } from "./windowed-counter.ts";

/** The custom events Pulse's script (and Plausible's) sends for a click on a link to another host and on a file link. */
export const OUTBOUND_LINK = "Outbound Link: Click";
export const FILE_DOWNLOAD = "File Download";

/** Distinct labels each campaign, link and download list holds in its window; the rest count as "(other)". */
export const MAX_BREAKDOWN_LABELS = 20;
/** Distinct (event, property, value) triples in the window, all events together. */
export const MAX_EVENT_PROP_LABELS = 100;

/** What a hit needs to show in these breakdowns: the fields are the event's own, not copies. */
export interface BreakdownHit {
  name: string;
  props: Record<string, string>;
  campaign?: Campaign | undefined;
}

/** Separates an event's name from its `key=value` in one label: no label holds it (cleanText takes control characters out). */
const NAME_END = "\u0000";

export type BreakdownSections = Required<Pick<Stats, "utmSources" | "utmMediums" | "utmCampaigns" | "outboundLinks" | "downloads" | "eventProps">>;

/**
 * Campaigns, outbound links, downloads and custom events' properties over the last 30 minutes (or W),
 * each counted as custom event names are (a WindowedCounter: bounded, "(other)" past the cap).
 * A hit costs nothing here unless it names a campaign or carries properties.
 */
export class HitBreakdowns {
  private readonly utmSources: WindowedCounter;
  private readonly utmMediums: WindowedCounter;
  private readonly utmCampaigns: WindowedCounter;
  private readonly outboundLinks: WindowedCounter;
  private readonly downloads: WindowedCounter;
  /** `name NAME_END key=value` per property of each custom event. */
  private readonly eventProps: WindowedCounter;

  /** Each list counts in 30 buckets of `step` ms: 60 s for the 30-minute window, 2 × W seconds for a window of W minutes. */
  constructor(step = 60_000) {
    const counter = (maxLabels: number) => new WindowedCounter(step, WINDOW_BUCKETS, maxLabels);
    this.utmSources = counter(MAX_BREAKDOWN_LABELS);
    this.utmMediums = counter(MAX_BREAKDOWN_LABELS);
    this.utmCampaigns = counter(MAX_BREAKDOWN_LABELS);
    this.outboundLinks = counter(MAX_BREAKDOWN_LABELS);
    this.downloads = counter(MAX_BREAKDOWN_LABELS);
    this.eventProps = counter(MAX_EVENT_PROP_LABELS);
  }

  /** A pageview: counted under its campaign's tags, when its URL named one. */
  addPageview(time: number, campaign: Campaign | undefined): void {
    if (campaign === undefined) return;
    if (campaign.source) this.utmSources.add(time, clip(campaign.source));
    if (campaign.medium) this.utmMediums.add(time, clip(campaign.medium));
    if (campaign.campaign) this.utmCampaigns.add(time, clip(campaign.campaign));
  }

  /** A custom event: each of its properties, and its link or file for the two the script sends. */
  addEvent(time: number, hit: BreakdownHit): void {
    const props = hit.props;
    for (const key in props) this.eventProps.add(time, `${hit.name}${NAME_END}${clip(`${key}=${props[key]}`)}`);
    const url = props.url;
    if (url === undefined) return;
    if (hit.name === OUTBOUND_LINK) this.outboundLinks.add(time, clip(url));
    else if (hit.name === FILE_DOWNLOAD) this.downloads.add(time, clip(url));
  }

  /** Forgets what fell out of the window; returns whether anything did. */
  advance(time: number): boolean {
    let dropped = false;
    for (const counter of this.counters()) dropped = counter.advance(time) || dropped;
    return dropped;
  }

  /** The lists; `events` is the events top list, whose names get their properties. */
  sections(events: TopList): BreakdownSections {
    return {
      utmSources: this.utmSources.top(TOP_LIST_SIZE),
      utmMediums: this.utmMediums.top(TOP_LIST_SIZE),
      utmCampaigns: this.utmCampaigns.top(TOP_LIST_SIZE),
      outboundLinks: this.outboundLinks.top(TOP_LIST_SIZE),
      downloads: this.downloads.top(TOP_LIST_SIZE),
      eventProps: this.propsOf(events),
    };
  }

  /** Each listed event's most counted `key=value` labels: one pass over at most MAX_EVENT_PROP_LABELS labels. */
  private propsOf(events: TopList): Record<string, TopList> {
    const byEvent = new Map<string, TopList>();
    for (const [name] of events) if (name !== OTHER_LABEL) byEvent.set(name, []);
    if (byEvent.size === 0) return {};
    for (const [label, count] of this.eventProps.entries()) {
      const end = label.indexOf(NAME_END);
      if (end === -1) continue;
      byEvent.get(label.slice(0, end))?.push([label.slice(end + 1), count]);
    }
    const props: Record<string, TopList> = {};
    for (const [name, values] of byEvent) {
      if (values.length === 0) continue;
      values.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      props[name] = values.slice(0, EVENT_PROP_VALUES);
    }
    return props;
  }

  private counters(): WindowedCounter[] {
    return [this.utmSources, this.utmMediums, this.utmCampaigns, this.outboundLinks, this.downloads, this.eventProps];
  }
}

/**
 * A label cut to 100 characters. Campaign tags and properties were cleaned where they entered
 * (campaignOf, parseProps; stored properties again as they are restored, see clippedHit), so only
 * their length is left to check: cleaning them again cost more than the rest of counting them.
 */
function clip(label: string): string {
  return label.length <= MAX_LABEL_CHARS ? label : clipLabel(label, MAX_LABEL_CHARS);
}
