import { describe, expect, test } from "bun:test";
import type { AcceptedEvent } from "../../../src/core/ingest/accepted-event.ts";
import { DEFAULT_HUB_LIMITS, Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import { Ingestor } from "../../../src/core/ingest/ingest.ts";
import { hitOf } from "../../../src/core/stats/site-stats.ts";
import { MAX_FRAME_BYTES, type FeedItem, type TickFrame } from "../../../src/core/wire/protocol.ts";
import { MAX_LABEL_CHARS } from "../../../src/core/ingest/text.ts";
import { MAX_USER_AGENT_CHARS } from "../../../src/core/ingest/user-agent.ts";
import { DailySalts } from "../../../src/core/ingest/visitor-id.ts";
import { UA } from "../../helpers/user-agents.ts";

const DAY = 86_400_000;
const T0 = 20_000 * DAY + 3_600_000;

function setup(options: { keepQuery?: boolean } = {}) {
  const hub = new Hub();
  const accepted: AcceptedEvent[] = [];
  let n = 0;
  const geoip = (ip: string) => (ip.startsWith("203.0.113.") ? "JP" : undefined);
  const ingestor = new Ingestor(hub, {
    salts: new DailySalts((length) => new Uint8Array(length).fill(++n)),
    geoip,
    ...options,
    onAccepted: (event) => {
      accepted.push(event);
      hub.record(event.site, hitOf(event));
    },
  });
  const send = (body: object, opts: { ua?: string; ip?: string; time?: number } = {}) =>
    ingestor.ingest({ body: JSON.stringify(body), userAgent: opts.ua ?? UA.chromeWindows, ip: opts.ip ?? "198.51.100.1", time: opts.time ?? T0 });
  const tick = (time: number, site = "shop.test") => {
    const publication = hub.tick(time).find((p) => p.topic === siteTopic(site));
    return publication && (JSON.parse(publication.data) as TickFrame);
  };
  return { hub, send, tick, accepted };
}

/** Unrecognised by the User-Agent parser, which then names the browser after nearly all of it. */
const hostileUa = (n: number) => `Mozilla/5.0 (X11) ${n} ${"a".repeat(12_000)}/1.0 (x`;
const labelsOf = (frame: TickFrame) => [
  ...Object.values(frame.changed).flatMap((value) => (Array.isArray(value) ? value.map(([label]) => label) : [])),
  ...frame.feed.flatMap((item: FeedItem) => [item.n, item.p, item.s, item.d, item.b, item.o, item.c, ...Object.entries(item.props ?? {}).flat()]),
];
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u180e]/;

describe("Ingestor", () => {
  test("a pageview becomes a feed item with path, source, device, browser and time", () => {
    const { send, tick } = setup();
    expect(send({ n: "pageview", u: "https://shop.test/wines?id=1", d: "shop.test", r: "https://www.google.com/" })).toEqual({
      accepted: ["shop.test"],
      dropped: [],
    });
    const frame = tick(T0 + 100)!;
    expect(frame.feed).toEqual([{ t: T0, n: "pageview", p: "/wines", s: "Google", d: "Desktop", b: "Chrome", o: "Windows", c: "Unknown" }]);
    expect(frame.changed.sources).toEqual([["Google", 1]]);
    expect(frame.changed.devices).toEqual([["Desktop", 1]]);
  });

  test("bots are dropped and counted nowhere", () => {
    const { send, tick } = setup();
    expect(send({ n: "pageview", u: "https://shop.test/" }, { ua: "Googlebot/2.1" })).toEqual({
      accepted: [],
      dropped: [{ site: "shop.test", reason: "bot" }],
    });
    expect(tick(T0 + 100)).toBeUndefined();
  });

  test("the same address and browser are one visitor; another address is another", () => {
    const { send, tick } = setup();
    send({ n: "pageview", u: "https://shop.test/a" });
    send({ n: "pageview", u: "https://shop.test/b" });
    send({ n: "pageview", u: "https://shop.test/a" }, { ip: "198.51.100.2" });
    expect(tick(T0 + 100)!.changed.visitors).toEqual({ last5m: 2, last30m: 2, capped: false });
  });

  test("a visit across midnight stays one visitor thanks to yesterday's salt", () => {
    const { send, tick } = setup();
    const beforeMidnight = 20_001 * DAY - 60_000;
    send({ n: "pageview", u: "https://shop.test/a" }, { time: beforeMidnight });
    send({ n: "pageview", u: "https://shop.test/b" }, { time: beforeMidnight + 120_000 });
    expect(tick(beforeMidnight + 120_100)!.changed.visitors!.last30m).toBe(1);
  });

  test("custom events carry their props in the feed", () => {
    const { send, tick } = setup();
    send({ name: "Signup", url: "https://shop.test/join", props: { plan: "pro" } });
    const frame = tick(T0 + 100)!;
    expect(frame.feed[0]).toMatchObject({ n: "Signup", p: "/join", props: { plan: "pro" } });
    expect(frame.changed.events).toEqual([["Signup", 1]]);
  });

  test("the country comes from the time zone, or from the GeoIP lookup when it knows the address", () => {
    const { send, tick } = setup();
    send({ n: "pageview", u: "https://shop.test/", tz: "Europe/Paris" });
    send({ n: "pageview", u: "https://shop.test/", tz: "Europe/Paris" }, { ip: "203.0.113.5" });
    send({ n: "pageview", u: "https://shop.test/", tz: "Etc/UTC" }, { ip: "198.51.100.77" });
    const frame = tick(T0 + 100)!;
    expect(frame.feed.map((item) => item.c)).toEqual(["FR", "JP", "Unknown"]);
    expect(frame.changed.countries).toEqual([["FR", 1], ["JP", 1], ["Unknown", 1]]);
  });

  test("only --sites are accepted when given; every accepted event goes to onAccepted", () => {
    const hub = new Hub();
    const accepted: AcceptedEvent[] = [];
    const ingestor = new Ingestor(hub, { allowedSites: new Set(["shop.test"]), onAccepted: (event) => accepted.push(event) });
    const result = ingestor.ingest({
      body: JSON.stringify({ n: "pageview", u: "https://shop.test/x?y=1", d: "shop.test,other.test", r: "https://t.co/" }),
      userAgent: UA.chromeWindows,
      ip: "198.51.100.1",
      time: T0,
    });
    expect(result).toEqual({ accepted: ["shop.test"], dropped: [{ site: "other.test", reason: "site-not-allowed" }] });
    expect(accepted).toEqual([
      expect.objectContaining({ site: "shop.test", name: "pageview", path: "/x", url: "https://shop.test/x", referrer: "https://t.co/", source: "Twitter" }),
    ]);
    expect(typeof accepted[0]!.visitor).toBe("number");
    // The ingestor records nothing itself: the server sends the events over the bus first.
    expect(hub.siteCount()).toBe(0);
  });

  test("the site cap counts sites let in since the last tick, before the hub has them; events past it are accepted all the same", () => {
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites: 2 });
    const ingestor = new Ingestor(hub, { onAccepted: (event) => pending.push(event) });
    let pending: AcceptedEvent[] = [];
    const send = (site: string) =>
      ingestor.ingest({ body: JSON.stringify({ n: "pageview", u: `https://${site}/`, d: site }), userAgent: UA.chromeWindows, ip: "198.51.100.1", time: T0 });
    expect(send("a.test")).toEqual({ accepted: ["a.test"], dropped: [] });
    expect(send("b.test")).toEqual({ accepted: ["b.test"], dropped: [] });
    expect(send("a.test")).toEqual({ accepted: ["a.test"], dropped: [] });
    expect(send("c.test")).toEqual({ accepted: ["c.test"], dropped: [], notLive: ["c.test"] });
    expect(pending.map((event) => event.site)).toEqual(["a.test", "b.test", "a.test", "c.test"]);
    // The batch comes back: the events reach the hub, and the ingestor forgets what it let in.
    for (const event of pending) hub.record(event.site, hitOf(event));
    ingestor.settle(pending);
    pending = [];
    expect(send("c.test").notLive).toEqual(["c.test"]);
    expect(send("b.test").notLive).toBeUndefined();
    expect(pending.map((event) => event.site)).toEqual(["c.test", "b.test"]);
  });

  test("a hostile User-Agent is clipped like any label and costs the site none of its top lists", () => {
    const { send, tick } = setup();
    for (let i = 0; i < 12; i++) send({ n: "pageview", u: `https://shop.test/page/${i}`, tz: "Europe/Paris" }, { ip: `198.51.100.${i}` });
    for (let i = 0; i < 2; i++) send({ n: "pageview", u: "https://shop.test/page/0" }, { ua: hostileUa(i), ip: "192.0.2.1" });
    const frame = tick(T0 + 100)!;
    expect(frame.changed.pages).toHaveLength(10);
    expect(frame.changed.sources).toEqual([["Direct / None", 14]]);
    expect(frame.changed.browsers![0]).toEqual(["Chrome", 12]);
    for (const label of labelsOf(frame)) expect(Array.from(label).length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
  });

  test("only the first MAX_USER_AGENT_CHARS characters of a User-Agent are read: ones alike up to there are one visitor", () => {
    const { send, tick } = setup();
    send({ n: "pageview", u: "https://shop.test/a" }, { ua: `${hostileUa(1).slice(0, MAX_USER_AGENT_CHARS)}one` });
    send({ n: "pageview", u: "https://shop.test/a" }, { ua: `${hostileUa(1).slice(0, MAX_USER_AGENT_CHARS)}two` });
    expect(tick(T0 + 100)!.changed.visitors!.last30m).toBe(1);
  });

  test("bidi overrides and invisible characters are removed from every label", () => {
    const { send, tick } = setup();
    send({ n: "pageview", u: "https://shop.test/?utm_source=%E2%80%AEmoc.elgoog" });
    send({ n: "Sign\u200bup\u2066", u: "https://shop.test/%E2%80%AE", p: { "\u202eplan": "p\ufeffro\u061c", tier: "\u180egold" } }, { ip: "198.51.100.2" });
    send({ n: "pageview", u: "https://shop.test/?utm_source=%E2%80%8B%E2%80%AE", r: "https://news.ycombinator.com/" }, { ip: "198.51.100.3" });
    const frame = tick(T0 + 100)!;
    expect(frame.feed.map((item) => item.s)).toEqual(["moc.elgoog", "Direct / None", "Hacker News"]);
    expect(frame.feed[1]).toMatchObject({ n: "Signup", props: { plan: "pro", tier: "gold" } });
    expect(frame.changed.events).toEqual([["Signup", 1]]);
    for (const label of labelsOf(frame)) expect(label).not.toMatch(INVISIBLE);
  });

  test("an event name of invisible characters only is refused", () => {
    const { hub, send } = setup();
    expect(() => send({ n: "\u200b\u202e", u: "https://shop.test/" })).toThrow("event name");
    expect(hub.siteCount()).toBe(0);
  });

  test("the page URL is stored without its query string, the campaign parameters in their own fields", () => {
    const { send, accepted } = setup();
    send({
      n: "pageview",
      u: "https://user:secret@shop.test/reset?token=s3cret&utm_source=news&utm_medium=email&utm_campaign=nov&utm_content=top&utm_term=wine&ref=hn#access_token=x",
      r: "https://mail.example/inbox?session=abc#m1",
    });
    send({ n: "pageview", u: "https://shop.test/app?source=feed&magic=1#/cart?step=2", h: 1 });
    send({ n: "pageview", u: "https://shop.test/plain", r: "https://www.google.com/" });
    expect(accepted.map(({ url, path, referrer, campaign }) => ({ url, path, referrer, campaign }))).toEqual([
      {
        url: "https://shop.test/reset",
        path: "/reset",
        referrer: "https://mail.example/inbox",
        campaign: { source: "news", medium: "email", campaign: "nov", content: "top", term: "wine", ref: "hn" },
      },
      { url: "https://shop.test/app#/cart", path: "/app#/cart", referrer: "", campaign: { source: "", medium: "", campaign: "", content: "", term: "", ref: "feed" } },
      { url: "https://shop.test/plain", path: "/plain", referrer: "https://www.google.com/", campaign: undefined },
    ]);
    expect(accepted.map((event) => event.source)).toEqual(["news", "feed", "Google"]);
  });

  test("with keepQuery the page and referrer URLs are stored with their query strings", () => {
    const { send, accepted } = setup({ keepQuery: true });
    send({ n: "pageview", u: "https://shop.test/a?q=wine&utm_source=news#top", r: "https://mail.example/inbox?session=abc" });
    expect(accepted[0]).toMatchObject({
      url: "https://shop.test/a?q=wine&utm_source=news#top",
      path: "/a",
      referrer: "https://mail.example/inbox?session=abc",
      campaign: { source: "news", medium: "" },
    });
  });

  test("bad input throws and leaves the state untouched", () => {
    const { hub, send } = setup();
    expect(() => send({ n: "pageview" })).toThrow("missing url");
    expect(hub.siteCount()).toBe(0);
  });

  test("a lone surrogate in an event name reaches neither frames nor storage", () => {
    const { send, tick, accepted } = setup();
    send({ n: "\ud800", u: "https://shop.test/" });
    expect(accepted[0]!.name).toBe("\ufffd");
    const frame = tick(T0 + 250)!;
    expect(frame.feed[0]!.n).toBe("\ufffd");
  });

  test("a hash route is counted without its query; a fragment that is not a route is not counted", () => {
    const { send, tick, accepted } = setup();
    send({ n: "pageview", u: "https://shop.test/#/reset-password?token=SECRETRESET&email=a@b.c", h: 1 });
    send({ n: "pageview", u: "https://shop.test/#access_token=SECRET4", h: 1 }, { ip: "198.51.100.2" });
    const frame = tick(T0 + 250)!;
    expect(frame.changed.pages).toEqual([["/", 1], ["/#/reset-password", 1]]);
    expect(JSON.stringify(frame)).not.toContain("SECRET");
    expect(accepted.map((event) => [event.path, event.url])).toEqual([
      ["/#/reset-password", "https://shop.test/#/reset-password"],
      ["/", "https://shop.test/"],
    ]);
  });
});
