import { describe, expect, test } from "bun:test";
import { Hub, SITES_TOPIC, siteTopic } from "../../../src/core/stats/hub.ts";
import { FEED_ITEMS_PER_TICK, SITE_LIST_MINUTES, type SitesFrame, type SnapshotFrame, type TickFrame } from "../../../src/core/wire/protocol.ts";
import type { Hit } from "../../../src/core/stats/site-stats.ts";
import { visitorBytes } from "../../../src/core/stats/visitor-budget.ts";

const T0 = 1_700_000_000_000;

function hit(visitor: number, time: number, page = "/", name = "pageview"): Hit {
  return { time, visitor, name, page, source: "Direct / None", browser: "Firefox", os: "Linux", device: "Desktop", country: "FR", props: {} };
}
const record = (hub: Hub, site: string, h: Hit) => hub.record(site, h);
const frames = (hub: Hub, time: number) => hub.tick(time).map((p) => ({ topic: p.topic, frame: JSON.parse(p.data) }));

describe("Hub", () => {
  test("many hits in one tick become ONE frame per site, plus the site list", () => {
    const hub = new Hub();
    for (let i = 0; i < 500; i++) record(hub, "a.test", hit(i % 20, T0 + i, `/p${i % 3}`));
    record(hub, "b.test", hit(1, T0));
    const published = frames(hub, T0 + 600);
    expect(published.map((p) => p.topic).sort()).toEqual([siteTopic("a.test"), siteTopic("b.test"), SITES_TOPIC].sort());
    const a = published.find((p) => p.topic === siteTopic("a.test"))!.frame as TickFrame;
    expect(a.seq).toBe(1);
    expect(a.changed.visitors).toEqual({ last5m: 20, last30m: 20, capped: false });
    expect(a.feed.length).toBe(FEED_ITEMS_PER_TICK);
    expect(a.more).toBe(500 - FEED_ITEMS_PER_TICK);
    expect(a.changed.perSecond!.counts.reduce((x, y) => x + y, 0)).toBe(500);
    const sites = published.find((p) => p.topic === SITES_TOPIC)!.frame as SitesFrame;
    const quietMinutes = Array<number>(SITE_LIST_MINUTES - 1).fill(0);
    expect(sites.sites).toEqual([
      { site: "a.test", visitors: 20, pageviews: 500, minutes: [...quietMinutes, 500] },
      { site: "b.test", visitors: 1, pageviews: 1, minutes: [...quietMinutes, 1] },
    ]);
  });

  test("the site list carries each site's pageviews of its last minutes, oldest first, and is published only when it changes", () => {
    const hub = new Hub();
    const minute = Math.ceil(T0 / 60_000) * 60_000;
    record(hub, "a.test", hit(1, minute + 1000));
    record(hub, "a.test", hit(2, minute + 2000));
    hub.tick(minute + 2500);
    record(hub, "a.test", hit(1, minute + 60_000 + 1000));
    const published = frames(hub, minute + 60_000 + 1500);
    const list = published.find((p) => p.topic === SITES_TOPIC)!.frame as SitesFrame;
    expect(list.sites[0]!.minutes).toHaveLength(SITE_LIST_MINUTES);
    expect(list.sites[0]!.minutes!.slice(-3)).toEqual([0, 2, 1]);
    // Nothing new: no frame, although the minutes slide (dashboards slide them on their own clock).
    expect(hub.tick(minute + 2 * 60_000 + 500)).toEqual([]);
  });

  test("a steady site's list is published again each minute: its sparkline ends at the frame's minute", () => {
    const hub = new Hub();
    const minute = Math.ceil(T0 / 60_000) * 60_000;
    // One pageview a minute for 40 minutes: the same counts, totals and visitors every minute.
    let published: ReturnType<typeof frames> = [];
    for (let m = 0; m < 40; m++) {
      record(hub, "a.test", hit(1, minute + m * 60_000 + 1000));
      published = frames(hub, minute + m * 60_000 + 1500);
    }
    const list = published.find((p) => p.topic === SITES_TOPIC)?.frame as SitesFrame | undefined;
    expect(list?.time).toBe(minute + 39 * 60_000 + 1500);
    expect(list?.sites[0]!.minutes).toEqual(Array(SITE_LIST_MINUTES).fill(1));
  });

  test("a quiet site publishes nothing, and a tick frame carries only the sections that changed", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0, "/"));
    hub.tick(T0 + 100);
    expect(hub.tick(T0 + 200)).toEqual([]);
    record(hub, "a.test", hit(1, T0 + 300, "/"));
    const [frame] = frames(hub, T0 + 400).map((p) => p.frame as TickFrame);
    expect(frame!.seq).toBe(2);
    expect(Object.keys(frame!.changed).sort()).toEqual(["pageviews", "perMinute", "perSecond"]);
    expect(frame!.feed.map((f) => f.p)).toEqual(["/"]);
  });

  test("visitors expiring publish a frame even without new hits, then the idle site is forgotten", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0));
    hub.tick(T0 + 100);
    const [afterFive] = frames(hub, T0 + 5 * 60_000 + 1);
    expect((afterFive!.frame as TickFrame).changed.visitors).toEqual({ last5m: 0, last30m: 1, capped: false });
    const late = frames(hub, T0 + 31 * 60_000);
    const siteFrame = late.find((p) => p.topic === siteTopic("a.test"))!.frame as TickFrame;
    expect(siteFrame.changed.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
    expect(hub.siteCount()).toBe(0);
    expect((late.find((p) => p.topic === SITES_TOPIC)!.frame as SitesFrame).sites).toEqual([]);
  });

  test("a snapshot is the state as of the last tick, so its feed never repeats the next tick's", () => {
    const hub = new Hub();
    expect((JSON.parse(hub.snapshot("a.test", T0)) as SnapshotFrame).stats.visitors.last5m).toBe(0);
    record(hub, "a.test", hit(1, T0, "/first"));
    hub.tick(T0 + 100);
    record(hub, "a.test", hit(2, T0 + 150, "/second"));
    const snapshot = JSON.parse(hub.snapshot("a.test", T0 + 200)) as SnapshotFrame;
    expect(snapshot.seq).toBe(1);
    expect(snapshot.feed.map((f) => f.p)).toEqual(["/first"]);
    expect(snapshot.stats.visitors.last5m).toBe(1);
    const [next] = frames(hub, T0 + 300).filter((p) => p.topic === siteTopic("a.test"));
    expect((next!.frame as TickFrame).seq).toBe(2);
    expect((next!.frame as TickFrame).feed.map((f) => f.p)).toEqual(["/second"]);
    // Encoded once per tick, not once per connecting dashboard.
    expect(hub.snapshot("a.test", T0 + 301)).toBe(hub.snapshot("a.test", T0 + 302));
  });

  test("two sites never see each other's hits", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0, "/only-a"));
    record(hub, "b.test", hit(2, T0, "/only-b"));
    const published = frames(hub, T0 + 100);
    const a = published.find((p) => p.topic === siteTopic("a.test"))!.frame as TickFrame;
    const b = published.find((p) => p.topic === siteTopic("b.test"))!.frame as TickFrame;
    expect(a.feed.map((f) => f.p)).toEqual(["/only-a"]);
    expect(b.feed.map((f) => f.p)).toEqual(["/only-b"]);
    expect(a.changed.pages).toEqual([["/only-a", 1]]);
  });

  test("the site cap keeps new sites out until one goes idle", () => {
    const hub = new Hub({ maxSites: 2, visitorMemory: 10_000, maxEventNames: 10 });
    expect(record(hub, "a.test", hit(1, T0))).toBe(true);
    expect(record(hub, "b.test", hit(1, T0))).toBe(true);
    expect(record(hub, "c.test", hit(1, T0))).toBe(false);
    hub.tick(T0 + 31 * 60_000);
    expect(record(hub, "c.test", hit(1, T0 + 31 * 60_000))).toBe(true);
  });

  test("a site kept out takes the place of the live site with the fewest visitors once it has shown more visitors", () => {
    const hub = new Hub({ maxSites: 2, visitorMemory: 10_000_000, maxEventNames: 10 });
    for (const visitor of [1, 2, 3]) record(hub, "busy.test", hit(visitor, T0));
    record(hub, "junk.test", hit(1, T0));
    hub.tick(T0 + 100);
    const usedByJunk = hub.visitorBudget.usedBytes;
    // One visitor is not more than the junk site's one: kept out.
    expect(record(hub, "real.test", hit(7, T0 + 200))).toBe(false);
    expect(record(hub, "real.test", hit(7, T0 + 300))).toBe(false);
    // A second visitor is.
    expect(record(hub, "real.test", hit(8, T0 + 400))).toBe(true);
    expect(hub.hasSite("real.test")).toBe(true);
    expect(hub.hasSite("junk.test")).toBe(false);
    expect(hub.hasSite("busy.test")).toBe(true);
    // The junk site's visitors gave their memory back; the new site's one took some.
    expect(hub.visitorBudget.usedBytes).toBe(usedByJunk);
    const published = frames(hub, T0 + 500);
    // Its dashboards see it leave the live figures; the site list no longer has it.
    const farewell = published.find((p) => p.topic === siteTopic("junk.test"))!.frame as TickFrame;
    expect(farewell.changed.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
    const list = published.find((p) => p.topic === SITES_TOPIC)!.frame as SitesFrame;
    expect(list.sites.map((summary) => summary.site)).toEqual(["busy.test", "real.test"]);
    expect(record(hub, "junk.test", hit(1, T0 + 600))).toBe(false);
  });

  test("one site at most takes another's place per tick, a tie keeps the live site, and a site keeps the visitors that won its place", () => {
    const hub = new Hub({ maxSites: 2, visitorMemory: 10_000_000, maxEventNames: 10 });
    for (const visitor of [1, 2, 3]) record(hub, "a.test", hit(visitor, T0));
    record(hub, "b.test", hit(1, T0));
    hub.tick(T0 + 100);
    for (const visitor of [1, 2]) record(hub, "c.test", hit(visitor, T0 + 200));
    expect(hub.hasSite("c.test")).toBe(true);
    for (const visitor of [1, 2, 3]) record(hub, "d.test", hit(visitor, T0 + 200));
    expect(hub.hasSite("d.test")).toBe(false);
    hub.tick(T0 + 300);
    // c.test counts as the two visitors it showed, though its figures have one: three beat them.
    expect(record(hub, "d.test", hit(1, T0 + 400))).toBe(true);
    expect([hub.hasSite("a.test"), hub.hasSite("c.test")]).toEqual([true, false]);
    hub.tick(T0 + 500);
    // A tie: three visitors are not more than a.test's three, nor than the three d.test showed.
    for (const visitor of [1, 2, 3]) expect(record(hub, "e.test", hit(visitor, T0 + 600))).toBe(false);
    expect(record(hub, "e.test", hit(4, T0 + 600))).toBe(true);
    expect([hub.hasSite("a.test"), hub.hasSite("d.test")]).toEqual([false, true]);
  });

  test("a waiting site that had more visitors when no place could change takes one at its next hit, a returning visitor's", () => {
    const hub = new Hub({ maxSites: 1, visitorMemory: 10_000_000, maxEventNames: 10 });
    record(hub, "junk1.test", hit(1, T0));
    hub.tick(T0 + 100);
    for (const visitor of [1, 2]) record(hub, "junk2.test", hit(visitor, T0 + 200));
    expect(hub.hasSite("junk2.test")).toBe(true);
    // junk2.test took this tick's one change of place: real.test, with three visitors, waits.
    for (const visitor of [1, 2, 3]) expect(record(hub, "real.test", hit(visitor, T0 + 300))).toBe(false);
    hub.tick(T0 + 400);
    expect(record(hub, "real.test", hit(1, T0 + 500))).toBe(true);
  });

  test("custom events are counted by name and not as pageviews", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0, "/", "Signup"));
    record(hub, "a.test", hit(2, T0, "/", "Signup"));
    record(hub, "a.test", hit(2, T0, "/", "pageview"));
    const [frame] = frames(hub, T0 + 100).filter((p) => p.topic === siteTopic("a.test"));
    const tick = frame!.frame as TickFrame;
    expect(tick.changed.events).toEqual([["Signup", 2]]);
    expect(tick.changed.perMinute!.counts.at(-1)).toBe(1);
  });

  test("engagement events keep a visitor current but are neither pageviews, events nor feed items", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0, "/", "engagement"));
    const [frame] = frames(hub, T0 + 100).filter((p) => p.topic === siteTopic("a.test"));
    const tick = frame!.frame as TickFrame;
    expect(tick.changed.visitors?.last5m).toBe(1);
    expect(tick.changed.events).toEqual([]);
    expect(tick.changed.perMinute!.counts.at(-1)).toBe(0);
    expect(tick.feed).toEqual([]);
  });

  test("memory per site stays bounded whatever the traffic", () => {
    const hub = new Hub({ maxSites: 10, visitorMemory: 5000 * visitorBytes(hit(0, T0, "/page/100000")), maxEventNames: 20 });
    let time = T0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 5000; i++) {
        time += 7;
        const n = round * 5000 + i;
        record(hub, "big.test", hit(n, time, `/page/${n}`, n % 3 === 0 ? `event-${n}` : "pageview"));
      }
      const published = hub.tick(time);
      for (const p of published) expect(new TextEncoder().encode(p.data).length).toBeLessThanOrEqual(15 * 1024);
    }
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) {
      time += 7;
      record(hub, "big.test", hit(1e9 + i, time, `/page/${1e9 + i}`));
    }
    hub.tick(time);
    // 300,000 distinct visitors and pages went through, one every 7 ms; the site tracks at most
    // the budget's worth and estimates the rest: those of the last 30 minutes.
    const snapshot = JSON.parse(hub.snapshot("big.test", time)) as SnapshotFrame;
    const inWindow = Math.floor((time - T0) / 7) - Math.floor((time - T0 - 30 * 60_000) / 7);
    expect(Math.abs(snapshot.stats.visitors.last30m - inWindow) / inWindow).toBeLessThan(0.15);
    expect(snapshot.stats.visitors.capped).toBe(true);
    expect(hub.visitorBudget.usedBytes).toBeLessThanOrEqual(hub.visitorBudget.maxBytes);
    Bun.gc(true);
    // Another 100,000 visitors did not grow the heap beyond a small margin.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("Hub: the sequence a dashboard follows", () => {
  const siteFrame = (published: Array<{ topic: string; frame: unknown }>) =>
    published.find((p) => p.topic === siteTopic("a.test"))?.frame as TickFrame | undefined;

  test("a site forgotten when idle and seen again starts a new sequence under a new epoch, its first tick a full baseline", () => {
    const hub = new Hub();
    record(hub, "a.test", hit(1, T0));
    const first = siteFrame(frames(hub, T0 + 250))!;
    expect(first.seq).toBe(1);
    expect(first.epoch).toBe(T0 + 250);
    record(hub, "a.test", hit(2, T0 + 300));
    expect(siteFrame(frames(hub, T0 + 500))).toMatchObject({ seq: 2, epoch: T0 + 250 });
    const before = JSON.parse(hub.snapshot("a.test", T0 + 600)) as SnapshotFrame;
    expect(before).toMatchObject({ seq: 2, epoch: T0 + 250 });

    // Quiet for over 30 minutes: the last visitor expires and the site is forgotten.
    const idle = T0 + 31 * 60_000;
    expect(siteFrame(frames(hub, idle))!.changed.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
    expect(hub.hasSite("a.test")).toBe(false);

    const back = idle + 40 * 60_000;
    record(hub, "a.test", hit(3, back, "/again"));
    const restarted = siteFrame(frames(hub, back + 250))!;
    expect(restarted.seq).toBe(1);
    expect(restarted.epoch).toBe(back + 250);
    expect(restarted.epoch).not.toBe(before.epoch);
    // Every section, so a dashboard can start over from it without a snapshot.
    expect(Object.keys(restarted.changed).sort()).toEqual(Object.keys(before.stats).sort());
    expect(restarted.changed.pages).toEqual([["/again", 1]]);
    expect(JSON.parse(hub.snapshot("a.test", back + 300))).toMatchObject({ seq: 1, epoch: back + 250 });
  });

  test("a site that has published nothing has epoch 0 and seq 0", () => {
    const hub = new Hub();
    expect(JSON.parse(hub.snapshot("new.test", T0))).toMatchObject({ seq: 0, epoch: 0 });
  });

  test("two hubs fed the same hits and ticks publish the same bytes, epoch included", () => {
    const hubs = [new Hub(), new Hub()];
    const texts = hubs.map((hub) => {
      record(hub, "a.test", hit(1, T0));
      const out = hub.tick(T0 + 250).map((p) => p.data);
      record(hub, "a.test", hit(2, T0 + 300));
      return out.concat(hub.tick(T0 + 500).map((p) => p.data), hub.snapshot("a.test", T0 + 600));
    });
    expect(texts[1]).toEqual(texts[0]!);
  });

  test("sites rebuilt from the same events at slightly different instants get the same epoch", () => {
    const events = [T0, T0 + 1000].map((time, i) => ({ ...hit(i, time), site: "a.test", path: "/", url: "https://a.test/", referrer: "" }));
    const epochs = [T0 + 5000, T0 + 5003].map((now) => {
      const hub = new Hub();
      hub.restore(events, now);
      return (JSON.parse(hub.snapshot("a.test", now)) as SnapshotFrame).epoch;
    });
    expect(epochs).toEqual([T0 + 1000, T0 + 1000]);
  });
});

describe("Hub.restore", () => {
  test("rebuilding from the stored events gives exactly the figures dashboards showed", () => {
    const live = new Hub();
    const events = [];
    for (let i = 0; i < 300; i++) {
      const h = hit(i % 37, T0 + i * 5000, `/p${i % 7}`, i % 10 === 0 ? "Signup" : "pageview");
      live.record("a.test", h);
      events.push({ ...h, site: "a.test", path: h.page, url: `https://a.test${h.page}`, referrer: "" });
      if (i % 20 === 0) live.tick(h.time + 1);
    }
    const now = T0 + 300 * 5000;
    live.tick(now);
    const before = JSON.parse(live.snapshot("a.test", now)) as SnapshotFrame;

    const restarted = new Hub();
    expect(restarted.restore(events, now)).toBe(300);
    const after = JSON.parse(restarted.snapshot("a.test", now)) as SnapshotFrame;
    expect(after.stats).toEqual(before.stats);
    expect(after.feed.length).toBe(50);
    // The snapshot feed ends with the newest event (live, a busy tick's feed may have cut it).
    expect(after.feed.at(-1)!.t).toBe(events.at(-1)!.time);
    // Nothing restored is published again as if it were new.
    expect(restarted.tick(now + 100)).toEqual([]);
  });
});
