import { describe, expect, test } from "bun:test";
import type { AcceptedEvent } from "../../src/core/accepted-event.ts";
import { DEFAULT_HUB_LIMITS, Hub, siteTopic } from "../../src/core/hub.ts";
import { Ingestor } from "../../src/core/ingest.ts";
import { hitOf } from "../../src/core/site-stats.ts";
import type { TickFrame } from "../../src/core/protocol.ts";
import { DailySalts } from "../../src/core/visitor-id.ts";
import { UA } from "../helpers/user-agents.ts";

const DAY = 86_400_000;
const T0 = 20_000 * DAY + 3_600_000;

function setup() {
  const hub = new Hub();
  let n = 0;
  const geoip = (ip: string) => (ip.startsWith("203.0.113.") ? "JP" : undefined);
  const ingestor = new Ingestor(hub, {
    salts: new DailySalts((length) => new Uint8Array(length).fill(++n)),
    geoip,
    onAccepted: (event) => hub.record(event.site, hitOf(event)),
  });
  const send = (body: object, opts: { ua?: string; ip?: string; time?: number } = {}) =>
    ingestor.ingest({ body: JSON.stringify(body), userAgent: opts.ua ?? UA.chromeWindows, ip: opts.ip ?? "198.51.100.1", time: opts.time ?? T0 });
  const tick = (time: number, site = "shop.test") => {
    const publication = hub.tick(time).find((p) => p.topic === siteTopic(site));
    return publication && (JSON.parse(publication.data) as TickFrame);
  };
  return { hub, send, tick };
}

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
      expect.objectContaining({ site: "shop.test", name: "pageview", path: "/x", url: "https://shop.test/x?y=1", referrer: "https://t.co/", source: "Twitter" }),
    ]);
    expect(typeof accepted[0]!.visitor).toBe("number");
    // The ingestor records nothing itself: the server sends the events over the bus first.
    expect(hub.siteCount()).toBe(0);
  });

  test("the site cap counts sites let in since the last tick, before the hub has them", () => {
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS, maxSites: 2 });
    const ingestor = new Ingestor(hub, { onAccepted: (event) => pending.push(event) });
    let pending: AcceptedEvent[] = [];
    const send = (site: string) =>
      ingestor.ingest({ body: JSON.stringify({ n: "pageview", u: `https://${site}/`, d: site }), userAgent: UA.chromeWindows, ip: "198.51.100.1", time: T0 });
    expect(send("a.test").accepted).toEqual(["a.test"]);
    expect(send("b.test").accepted).toEqual(["b.test"]);
    expect(send("a.test").accepted).toEqual(["a.test"]);
    expect(send("c.test").dropped).toEqual([{ site: "c.test", reason: "site-limit" }]);
    // The batch comes back: the events reach the hub, and the ingestor forgets what it let in.
    for (const event of pending) hub.record(event.site, hitOf(event));
    ingestor.settle(pending);
    pending = [];
    expect(send("c.test").dropped).toEqual([{ site: "c.test", reason: "site-limit" }]);
    expect(send("b.test").accepted).toEqual(["b.test"]);
  });

  test("bad input throws and leaves the state untouched", () => {
    const { hub, send } = setup();
    expect(() => send({ n: "pageview" })).toThrow("missing url");
    expect(hub.siteCount()).toBe(0);
  });
});
