import { describe, expect, test } from "bun:test";
import { FILE_DOWNLOAD, MAX_BREAKDOWN_LABELS, MAX_EVENT_PROP_LABELS, OUTBOUND_LINK } from "../../../src/core/stats/hit-breakdowns.ts";
import { hitOf, SiteStats, type Hit } from "../../../src/core/stats/site-stats.ts";
import { Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import type { Campaign } from "../../../src/core/ingest/accepted-event.ts";
import { MAX_LABEL_CHARS } from "../../../src/core/ingest/text.ts";
import { EVENT_PROP_VALUES, type TickFrame } from "../../../src/core/wire/protocol.ts";
import { storedEvent } from "../../helpers/stored-events.ts";

const T0 = 1_700_000_000_000;
let visitors = 0;

function hit(name: string, fields: Partial<Hit> = {}): Hit {
  return { time: T0, visitor: ++visitors, name, page: "/", source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR", props: {}, ...fields };
}

function campaign(fields: Partial<Campaign>): Campaign {
  return { source: "", medium: "", campaign: "", content: "", term: "", ref: "", ...fields };
}

describe("campaigns, links, downloads and event properties", () => {
  test("pageviews are counted by the campaign tags their URL named; pageviews without one are not", () => {
    const stats = new SiteStats("shop.example");
    stats.record(hit("pageview", { campaign: campaign({ source: "newsletter", medium: "email", campaign: "winter" }) }));
    stats.record(hit("pageview", { campaign: campaign({ source: "newsletter", medium: "email", campaign: "spring" }) }));
    stats.record(hit("pageview", { campaign: campaign({ source: "mastodon" }) }));
    stats.record(hit("pageview"));
    // An event carries the campaign of its page too, but only pageviews count as arrivals.
    stats.record(hit("Signup", { campaign: campaign({ source: "newsletter" }) }));
    const figures = stats.stats(T0 + 1000);
    expect(figures.utmSources).toEqual([["newsletter", 2], ["mastodon", 1]]);
    expect(figures.utmMediums).toEqual([["email", 2]]);
    expect(figures.utmCampaigns).toEqual([["spring", 1], ["winter", 1]]);
  });

  test("outbound link clicks by destination and downloads by file, from the url property of the script's events", () => {
    const stats = new SiteStats("shop.example");
    stats.record(hit(OUTBOUND_LINK, { props: { url: "https://partner.example/a" } }));
    stats.record(hit(OUTBOUND_LINK, { props: { url: "https://partner.example/a" } }));
    stats.record(hit(OUTBOUND_LINK, { props: { url: "https://other.example/" } }));
    stats.record(hit(FILE_DOWNLOAD, { props: { url: "https://shop.example/catalogue.pdf" } }));
    // Another event's url is not a link click.
    stats.record(hit("Share", { props: { url: "https://share.example/" } }));
    const figures = stats.stats(T0 + 1000);
    expect(figures.outboundLinks).toEqual([["https://partner.example/a", 2], ["https://other.example/", 1]]);
    expect(figures.downloads).toEqual([["https://shop.example/catalogue.pdf", 1]]);
  });

  test("each listed event shows its most counted properties as key=value", () => {
    const stats = new SiteStats("shop.example");
    for (let i = 0; i < 3; i++) stats.record(hit("Signup", { props: { plan: "pro", trial: "yes" } }));
    stats.record(hit("Signup", { props: { plan: "free" } }));
    for (let i = 0; i < 8; i++) stats.record(hit("Search", { props: { query: `q${i}`, page: "1" } }));
    stats.record(hit("Ping"));
    const figures = stats.stats(T0 + 1000);
    expect(figures.eventProps!.Signup).toEqual([["plan=pro", 3], ["trial=yes", 3], ["plan=free", 1]]);
    expect(figures.eventProps!.Search).toHaveLength(EVENT_PROP_VALUES);
    expect(figures.eventProps!.Search![0]).toEqual(["page=1", 8]);
    // An event without properties has no entry.
    expect(figures.eventProps!.Ping).toBeUndefined();
  });

  test("labels are clipped to 100 characters, whatever the URL or property", () => {
    const stats = new SiteStats("shop.example");
    stats.record(hit(OUTBOUND_LINK, { props: { url: `https://partner.example/${"x".repeat(2000)}` } }));
    stats.record(hit("pageview", { campaign: campaign({ source: "s".repeat(500) }) }));
    const figures = stats.stats(T0 + 1000);
    expect(Array.from(figures.outboundLinks![0]![0]).length).toBe(MAX_LABEL_CHARS);
    expect(Array.from(figures.eventProps![OUTBOUND_LINK]![0]![0]).length).toBe(MAX_LABEL_CHARS);
    expect(Array.from(figures.utmSources![0]![0]).length).toBe(MAX_LABEL_CHARS);
  });

  test("bounded: past the cap, new labels count as (other)", () => {
    const stats = new SiteStats("shop.example");
    for (let i = 0; i < MAX_BREAKDOWN_LABELS + 20; i++) stats.record(hit(FILE_DOWNLOAD, { props: { url: `/files/${i}.pdf` } }));
    for (let i = 0; i < MAX_EVENT_PROP_LABELS + 20; i++) stats.record(hit("Search", { props: { query: `q${i}` } }));
    const figures = stats.stats(T0 + 1000);
    expect(figures.downloads![0]).toEqual(["(other)", 20]);
    // 20 queries, and the File Download urls, past the one cap all events share.
    expect(figures.eventProps!.Search!.length).toBeLessThanOrEqual(EVENT_PROP_VALUES);
  });

  test("the sections empty as the window slides past them, and that is a change", () => {
    const stats = new SiteStats("shop.example");
    stats.record(hit(OUTBOUND_LINK, { props: { url: "https://partner.example/" } }));
    stats.record(hit("pageview", { campaign: campaign({ source: "newsletter" }) }));
    stats.advance(T0 + 1000);
    expect(stats.advance(T0 + 31 * 60_000)).toBe(true);
    const figures = stats.stats(T0 + 31 * 60_000);
    expect(figures.outboundLinks).toEqual([]);
    expect(figures.utmSources).toEqual([]);
    expect(figures.eventProps).toEqual({});
  });

  test("the hub counts an accepted event's campaign, and a tick sends a section only when it changed", () => {
    const hub = new Hub();
    const tagged = storedEvent({ time: T0, site: "shop.example", campaign: campaign({ source: "newsletter", medium: "email", campaign: "winter" }) });
    hub.record("shop.example", hitOf(tagged));
    const first = JSON.parse(hub.tick(T0 + 1000).find((p) => p.topic === siteTopic("shop.example"))!.data) as TickFrame;
    expect(first.changed.utmSources).toEqual([["newsletter", 1]]);
    expect(first.changed.utmCampaigns).toEqual([["winter", 1]]);
    hub.record("shop.example", hitOf(storedEvent({ time: T0 + 1500, site: "shop.example", name: OUTBOUND_LINK, props: { url: "https://partner.example/" } })));
    const second = JSON.parse(hub.tick(T0 + 2000).find((p) => p.topic === siteTopic("shop.example"))!.data) as TickFrame;
    expect(second.changed.outboundLinks).toEqual([["https://partner.example/", 1]]);
    expect(second.changed.eventProps).toEqual({ [OUTBOUND_LINK]: [["url=https://partner.example/", 1]] });
    expect(second.changed.utmSources).toBeUndefined();
    expect(second.changed.downloads).toBeUndefined();
  });
});

describe("restored events", () => {
  test("properties of events stored by older versions come back cleaned of invisible characters", () => {
    const stats = new SiteStats("shop.example");
    stats.restore(hitOf(storedEvent({ time: T0, name: "Signup", props: { "pl\u200Ban": "\u202Eorp" } })));
    expect(stats.stats(T0 + 1000).eventProps).toEqual({ Signup: [["plan=orp", 1]] });
  });
});
