import { describe, expect, test } from "bun:test";
import { Hub } from "../../../src/core/stats/hub.ts";
import type { SnapshotFrame, TickFrame } from "../../../src/core/wire/protocol.ts";
import { viewTopic } from "../../../src/core/wire/view-filters.ts";
import { hitAt, viewOver } from "../../helpers/view-hits.ts";

const SITE = "shop.test";
const T0 = Date.UTC(2026, 0, 1, 12);

function hubWithTabs(): Hub {
  const hub = new Hub();
  hub.record(SITE, hitAt(1, T0, { page: "/wines" }));
  hub.record(SITE, hitAt(2, T0, { page: "/about" }));
  hub.presence.signal(T0, SITE, "tabAAAAAAAA", "/wines", "here");
  hub.presence.signal(T0, SITE, "tabBBBBBBBB", "/wines", "here");
  hub.presence.signal(T0, SITE, "tabCCCCCCCC", "/about", "here");
  return hub;
}

function frameOf(hub: Hub, topic: string, time: number): TickFrame | undefined {
  const found = hub.tick(time).find((publication) => publication.topic === topic);
  return found ? (JSON.parse(found.data) as TickFrame) : undefined;
}

describe("what presence adds to a view's figures", () => {
  test("a view narrowed to a page shows that page's tabs; one with any other filter shows none", () => {
    const hub = hubWithTabs();
    hub.tick(T0);
    const byPage = viewOver({ page: "/wines" });
    const byCountry = viewOver({ country: "FR" });
    const byBoth = viewOver({ page: "/wines", country: "FR" });
    const snapshotOf = (view: ReturnType<typeof viewOver>) => {
      const opening = hub.openView(SITE, view, T0 + 100);
      if (!("snapshot" in opening)) throw new Error(opening.refused);
      return JSON.parse(opening.snapshot) as SnapshotFrame;
    };
    const page = snapshotOf(byPage);
    expect(page.stats.present).toBe(2);
    expect(page.stats.pages).toEqual([["/wines", 1, 2]]);
    expect(snapshotOf(byCountry).stats.present).toBeUndefined();
    expect(snapshotOf(byBoth).stats.present).toBeUndefined();

    // A tab leaving the page makes the page's view a frame, and leaves the others alone.
    hub.presence.signal(T0 + 200, SITE, "tabAAAAAAAA", "/wines", "gone");
    const published = hub.tick(T0 + 250);
    const topics = published.map((publication) => publication.topic);
    expect(topics).toContain(viewTopic(SITE, byPage.key));
    expect(topics).not.toContain(viewTopic(SITE, byCountry.key));
    const tick = JSON.parse(published.find((publication) => publication.topic === viewTopic(SITE, byPage.key))!.data) as TickFrame;
    expect(tick.changed.present).toBe(1);
  });

  test("the whole site over a shorter window shows the site's tabs: the window does not change presence", () => {
    const hub = hubWithTabs();
    const opening = hub.openView(SITE, viewOver({}, 5), T0);
    if (!("snapshot" in opening)) throw new Error(opening.refused);
    expect((JSON.parse(opening.snapshot) as SnapshotFrame).stats.present).toBe(3);
  });

  test("a site kept while tabs are open on it, with nothing else in its window", () => {
    const hub = hubWithTabs();
    expect(frameOf(hub, `site:${SITE}`, T0)?.changed.present).toBe(3);
    // Past the 30-minute window the visitors are gone; a heartbeat keeps one tab.
    hub.presence.signal(T0 + 31 * 60_000, SITE, "tabAAAAAAAA", "/wines", "here");
    hub.tick(T0 + 31 * 60_000);
    expect(hub.hasSite(SITE)).toBe(true);
    expect(hub.stats(SITE, T0 + 31 * 60_000).present).toBe(1);
  });
});
