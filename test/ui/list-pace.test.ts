import { describe, expect, test } from "bun:test";
import { LIST_PACE_MS, paceLists, type ListPace } from "../../ui/list-pace.ts";
import { pause, LIVE, shownView } from "../../ui/rewind-model.ts";
import { siteModel } from "../../ui/site-model.ts";
import { applyFrame, initialState, type ViewState } from "../../ui/view-model.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

const visitors = (n: number) => ({ last5m: n, last30m: n, capped: false });
const loaded = () => applyFrame(initialState("shop.test"), snapshot({ stats: stats({ visitors: visitors(2), pages: [["/a", 2]], countries: [["FR", 2]] }) }), T0);
/** The tick after `view`'s, with one more visitor on `page` from `country`, and its pageview in the feed. */
const next = (view: ViewState, page: string, country = "DE") =>
  applyFrame(
    view,
    tick(view.seq + 1, {
      changed: { visitors: visitors(view.stats.visitors.last5m + 1), pages: [...view.stats.pages, [page, 1]], countries: [...view.stats.countries, [country, 1]] },
      feed: [feedItem(page, T0 + view.seq)],
    }),
    T0,
  );

/** Draws `views` at the times given, as main.ts does, keeping the pace between them. */
function drawn(steps: Array<[ViewState, number]>) {
  let pace: ListPace | null = null;
  return steps.map(([view, at]) => {
    const paced = paceLists(pace, view, at);
    pace = paced.pace;
    return paced;
  });
}

describe("the lists' pace", () => {
  test("within a second of the lists drawn, ticks move the numbers and the feed but not the lists or the map", () => {
    const first = loaded();
    const second = next(first, "/b");
    const [, held] = drawn([
      [first, 0],
      [second, 250],
    ]);
    expect(held!.view.stats.visitors.last5m).toBe(3);
    expect(held!.view.feed.map((entry) => entry.item.p)).toEqual(["/b"]);
    expect(held!.view.stats.pages).toBe(first.stats.pages);
    expect(held!.view.stats.countries).toBe(first.stats.countries);
    expect(siteModel(held!.view, T0).lists.find((list) => list.testid === "top-pages")!.rows.map((row) => row.label)).toEqual(["/a"]);
    expect(held!.dueIn).toBe(LIST_PACE_MS - 250);
  });

  test("once a second has passed, the newest lists are drawn, with the ticks held back in them", () => {
    const views = [loaded()];
    for (let n = 0; n < 4; n++) views.push(next(views.at(-1)!, `/p${n}`));
    const paced = drawn(views.map((view, n) => [view, n * 250]));
    expect(paced.slice(1, 4).every((step) => step.view.stats.pages === views[0]!.stats.pages)).toBe(true);
    // A draw a little early (the screen's refresh) still moves them.
    const last = paceLists(paced[3]!.pace, views[4]!, LIST_PACE_MS - 10);
    expect(last.view).toBe(views[4]!);
    expect(last.view.stats.pages.map(([page]) => page)).toEqual(["/a", "/p0", "/p1", "/p2", "/p3"]);
    expect(last.dueIn).toBeNull();
    expect(last.pace.at).toBe(LIST_PACE_MS - 10);
  });

  test("the tabs open now move with the pages list, which counts them page by page", () => {
    const first = applyFrame(initialState("shop.test"), snapshot({ stats: stats({ present: 1, pages: [["/a", 1, 1]] }) }), T0);
    const gone = applyFrame(first, tick(first.seq + 1, { changed: { present: 0, pages: [["/a", 1, 0]] } }), T0);
    const [, held, moved] = drawn([
      [first, 0],
      [gone, 250],
      [gone, LIST_PACE_MS],
    ]);
    const shown = (view: ViewState) => siteModel(view, T0);
    expect(shown(held!.view).presentNow).toBe(1);
    expect(shown(held!.view).lists[0]!.rows[0]!.present).toBe(1);
    expect(shown(moved!.view).presentNow).toBe(0);
    expect(shown(moved!.view).lists[0]!.rows[0]!.present).toBe(0);
  });

  test("ticks that leave the lists as they are hold nothing back", () => {
    const first = loaded();
    const quiet = applyFrame(first, tick(first.seq + 1, { changed: { visitors: visitors(2) } }), T0);
    const [, step] = drawn([
      [first, 0],
      [quiet, 250],
    ]);
    expect(step!.view).toBe(quiet);
    expect(step!.dueIn).toBeNull();
  });

  test("a new view, a new sequence or a snapshot shows its own lists at once", () => {
    const first = loaded();
    const filtered = applyFrame(initialState("shop.test", { filters: { country: "FR" } }), snapshot({ filters: { country: "FR" }, stats: stats({ pages: [["/fr", 1]] }) }), T0);
    const windowed = applyFrame(initialState("shop.test", { window: 5 }), snapshot({ window: 5, stats: stats({ pages: [["/w", 1]] }) }), T0);
    const snapshotAgain = applyFrame(first, snapshot({ seq: 20, stats: stats({ pages: [["/again", 1]] }) }), T0);
    const restarted = applyFrame(first, tick(1, { epoch: first.epoch + 1, changed: { pages: [["/restart", 1]] } }), T0);
    const other = applyFrame(initialState("blog.test"), snapshot({ site: "blog.test", stats: stats({ pages: [["/post", 1]] }) }), T0);
    for (const view of [filtered, windowed, snapshotAgain, restarted, other]) {
      const [, step] = drawn([
        [first, 0],
        [view, 100],
      ]);
      expect(step!.view).toBe(view);
      expect(step!.dueIn).toBeNull();
    }
  });

  test("pausing shows the lists of the moment paused at, and going live the live ones, at once", () => {
    const first = loaded();
    const second = next(first, "/b");
    const paused = pause(LIVE, second, T0);
    const [, , atPause, live] = drawn([
      [first, 0],
      [second, 100],
      [shownView(paused, second), 200],
      [second, 300],
    ]);
    expect(atPause!.view.stats.pages.map(([page]) => page)).toEqual(["/a", "/b"]);
    expect(atPause!.view.shownAt).not.toBeNull();
    expect(live!.view).toBe(second);
  });

  test("sections a server did not send stay absent; sections sent since are held back with the rest", () => {
    const { utmSources: _, ...older } = stats({ pages: [["/a", 1]] });
    const first = applyFrame(initialState("shop.test"), snapshot({ stats: older }), T0);
    const withCampaigns = applyFrame(first, tick(first.seq + 1, { changed: { utmSources: [["newsletter", 1]], pages: [["/c", 1]] } }), T0);
    const [, step] = drawn([
      [first, 0],
      [withCampaigns, 250],
    ]);
    expect("utmSources" in step!.view.stats).toBe(false);
    expect(step!.view.stats.pages).toBe(first.stats.pages);
    expect(siteModel(step!.view, T0).lists.map((list) => list.testid)).not.toContain("top-utm-sources");
  });
});
