import { describe, expect, test } from "bun:test";
import { hitAt, viewOver } from "../../helpers/view-hits.ts";
import { DEFAULT_HUB_LIMITS, Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import { MAX_VIEWS_PER_SITE, VIEW_BYTES } from "../../../src/core/stats/site-views.ts";
import type { SnapshotFrame, TickFrame } from "../../../src/core/wire/protocol.ts";
import { viewTopic, type ViewWindow } from "../../../src/core/wire/view-filters.ts";

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const SITE = "shop.test";

const snapshotOf = (hub: Hub, filters: Record<string, string>, window: ViewWindow, time: number) => {
  const opening = hub.openView(SITE, viewOver(filters, window), time);
  if (!("snapshot" in opening)) throw new Error(opening.refused);
  return JSON.parse(opening.snapshot) as SnapshotFrame;
};

describe("views with a window", () => {
  test("the whole site over 1 minute is a view of its own: its topic, `window` in its frames, figures over the minute", () => {
    const hub = new Hub();
    hub.record(SITE, hitAt(1, NOW - 3 * MINUTE, { page: "/three" }));
    hub.record(SITE, hitAt(2, NOW - 30_000, { page: "/now" }));
    hub.tick(NOW);
    const snapshot = snapshotOf(hub, {}, 1, NOW);
    expect(snapshot).toMatchObject({ type: "snapshot", site: SITE, window: 1 });
    expect("filters" in snapshot).toBe(false);
    expect(snapshot.stats.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    expect(snapshot.stats.pages).toEqual([["/now", 1]]);
    expect(snapshot.stats.pageviews).toBe(1);
    // The site's own snapshot is over 30 minutes and names no window.
    const whole = JSON.parse(hub.snapshot(SITE, NOW)) as SnapshotFrame;
    expect(whole.stats.visitors).toEqual({ last5m: 2, last30m: 2, capped: false });
    expect(whole.stats.pageviews).toBe(2);
    expect("window" in whole).toBe(false);

    hub.record(SITE, hitAt(3, NOW + 1000, { page: "/later" }));
    const frames = hub.tick(NOW + 2000).map((p) => ({ topic: p.topic, frame: JSON.parse(p.data) as TickFrame }));
    const windowed = frames.find((f) => f.topic === viewTopic(SITE, "window=1"))!;
    expect(windowed.topic).toBe("view:shop.test?window=1");
    expect(windowed.frame).toMatchObject({ type: "tick", site: SITE, window: 1 });
    expect(windowed.frame.changed.visitors).toEqual({ last5m: 2, last30m: 2, capped: false });
    const site = frames.find((f) => f.topic === siteTopic(SITE))!.frame;
    expect("window" in site).toBe(false);
    expect(site.changed.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
  });

  test("filters and a window: a view of their own, with both in the head and the key", () => {
    const hub = new Hub();
    hub.record(SITE, hitAt(3, NOW - 10 * MINUTE, { country: "FR" }));
    hub.record(SITE, hitAt(1, NOW - 3 * MINUTE, { country: "DE" }));
    hub.record(SITE, hitAt(2, NOW - 2 * MINUTE, { country: "FR" }));
    const five = snapshotOf(hub, { country: "FR" }, 5, NOW);
    expect(five).toMatchObject({ filters: { country: "FR" }, window: 5 });
    expect(five.stats.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    const thirty = snapshotOf(hub, { country: "FR" }, 30, NOW);
    expect("window" in thirty).toBe(false);
    expect(thirty.stats.visitors.last30m).toBe(2);
    expect(hub.viewCount(SITE)).toBe(2);

    hub.record(SITE, hitAt(4, NOW + 1000, { country: "FR" }));
    const topics = hub.tick(NOW + 2000).map((p) => p.topic);
    expect(topics).toContain("view:shop.test?country=FR&window=5");
    expect(topics).toContain("view:shop.test?country=FR");
  });

  test("MAX_VIEWS_PER_SITE counts every view, windows included", () => {
    const hub = new Hub({ ...DEFAULT_HUB_LIMITS, visitorMemory: (MAX_VIEWS_PER_SITE + 8) * VIEW_BYTES });
    // The whole site over 1 and 5 minutes, then pages over 1 and 30 minutes.
    const views = [viewOver({}, 1), viewOver({}, 5)];
    for (let i = 0; views.length < MAX_VIEWS_PER_SITE; i++) views.push(viewOver({ page: `/p${i >> 1}` }, i % 2 ? 1 : 30));
    for (const each of views) expect(hub.openView(SITE, each, NOW)).toHaveProperty("snapshot");
    expect(hub.viewCount(SITE)).toBe(MAX_VIEWS_PER_SITE);
    expect(hub.openView(SITE, viewOver({}, 5), NOW)).toHaveProperty("snapshot");
    expect(hub.openView(SITE, viewOver({ page: "/p3" }, 5), NOW)).toEqual({
      refused: `${SITE} already has ${MAX_VIEWS_PER_SITE} views open (filter sets and windows): try again later, or watch the whole site`,
    });
  });
});
