import { describe, expect, test } from "bun:test";
import { LIST_PACE_MS, paceLists, type ListPace } from "../../ui/list-pace.ts";
import { pause, LIVE, shownView } from "../../ui/rewind-model.ts";
import { siteModel, type SiteModel } from "../../ui/site-model.ts";
import { applyFrame, initialState, type ViewState } from "../../ui/view-model.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

const visitors = (n: number) => ({ last5m: n, last30m: n, capped: false });
const loaded = () => applyFrame(initialState("shop.test"), snapshot({ stats: stats({ visitors: visitors(2), pages: [["/a", 2]], sources: [["Google", 2]], countries: [["FR", 2]] }) }), T0);
/** The tick after `view`'s: one more visitor, on `page`, from Germany, and their pageview in the feed. */
const next = (view: ViewState, page: string) =>
  applyFrame(
    view,
    tick(view.seq + 1, {
      changed: {
        visitors: visitors(view.stats.visitors.last5m + 1),
        pages: [...view.stats.pages, [page, 1]],
        sources: [...view.stats.sources, [page, 1]],
        countries: [...view.stats.countries, ["DE", 1]],
      },
      feed: [feedItem(page, T0 + view.seq)],
    }),
    T0,
  );

/** Draws each view at its time as main.ts does, keeping the pace between draws: what the page shows, and when the lists are due. */
function drawn(steps: Array<[ViewState, number]>): Array<{ model: SiteModel; countries: readonly unknown[]; dueIn: number | null; pace: ListPace }> {
  let pace: ListPace | null = null;
  return steps.map(([view, at]) => {
    const paced = paceLists(pace, view, at);
    pace = paced.pace;
    return { model: siteModel(view, T0, paced.lists), countries: paced.lists.countries, dueIn: paced.dueIn, pace: paced.pace };
  });
}

const rowsOf = (model: SiteModel, testid: string) => model.lists.find((list) => list.testid === testid)!.rows.map((row) => `${row.label} ${row.percent}`);

describe("the lists' pace", () => {
  test("within a second of the lists drawn, ticks move the numbers and the feed, but not the lists, their shares or the map", () => {
    const first = loaded();
    const second = next(first, "/b");
    const [, held] = drawn([
      [first, 0],
      [second, 250],
    ]);
    expect(held!.model.currentVisitors).toBe(3);
    expect(held!.model.feed.map((row) => row.path)).toEqual(["/b"]);
    expect(rowsOf(held!.model, "top-pages")).toEqual(["/a 100%"]);
    expect(rowsOf(held!.model, "top-sources")).toEqual(["Google 100%"]);
    expect(held!.countries).toBe(first.stats.countries);
    expect(held!.dueIn).toBe(LIST_PACE_MS - 250);
  });

  test("once a second has passed, the newest lists are drawn, with the ticks held back in them", () => {
    const views = [loaded()];
    for (let n = 0; n < 4; n++) views.push(next(views.at(-1)!, `/p${n}`));
    const steps = drawn(views.map((view, n) => [view, n * 250]));
    expect(steps.slice(1, 4).every((step) => step.countries === views[0]!.stats.countries)).toBe(true);
    // A draw a little early (the screen's refresh) still moves them, once nothing else is new.
    const last = paceLists(steps[3]!.pace, views[3]!, LIST_PACE_MS - 10);
    expect(last.lists).toBe(views[3]!.stats);
    expect(rowsOf(siteModel(views[3]!, T0, last.lists), "top-pages")).toEqual(["/a 40%", "/p0 20%", "/p1 20%", "/p2 20%"]);
    expect(last.dueIn).toBeNull();
    expect(last.pace.at).toBe(LIST_PACE_MS - 10);
  });

  test("a frame that comes when the lists are due is drawn first with them held; they move alone in the next draw, whatever came by then", () => {
    const views = [loaded()];
    for (let n = 0; n < 3; n++) views.push(next(views.at(-1)!, `/p${n}`));
    const [, , frame, alone] = drawn([
      [views[0]!, 0],
      [views[1]!, 250],
      [views[2]!, LIST_PACE_MS],
      [views[3]!, LIST_PACE_MS + 16],
    ]);
    expect(frame!.model.currentVisitors).toBe(4);
    expect(frame!.countries).toBe(views[0]!.stats.countries);
    expect(frame!.dueIn).toBe(0);
    // Another frame came within the animation frame: the lists move all the same, not held again.
    expect(alone!.countries).toBe(views[3]!.stats.countries);
    expect(alone!.dueIn).toBeNull();
    // With nothing new but the lists, the draw that finds them due moves them.
    const [, , again] = drawn([
      [views[0]!, 0],
      [views[1]!, 250],
      [views[1]!, LIST_PACE_MS],
    ]);
    expect(again!.countries).toBe(views[1]!.stats.countries);
  });

  test("the tabs open now move with the pages list, which counts them page by page", () => {
    const first = applyFrame(initialState("shop.test"), snapshot({ stats: stats({ present: 1, pages: [["/a", 1, 1]] }) }), T0);
    const gone = applyFrame(first, tick(first.seq + 1, { changed: { present: 0, pages: [["/a", 1, 0]] } }), T0);
    const [, held, moved] = drawn([
      [first, 0],
      [gone, 250],
      [gone, LIST_PACE_MS],
    ]);
    expect(held!.model.presentNow).toBe(1);
    expect(held!.model.lists[0]!.rows[0]!.present).toBe(1);
    expect(moved!.model.presentNow).toBe(0);
    expect(moved!.model.lists[0]!.rows[0]!.present).toBe(0);
  });

  test("a frame that changed nothing holds nothing back", () => {
    const first = loaded();
    const same = applyFrame(first, tick(first.seq + 1), T0);
    const [, step] = drawn([
      [first, 0],
      [same, 250],
    ]);
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
      expect(step!.model.lists[0]!.rows.map((row) => row.label)).toEqual([view.stats.pages[0]![0]]);
      expect(step!.dueIn).toBeNull();
    }
  });

  test("pausing shows the lists of the moment paused at, and going live the live ones, at once", () => {
    const first = loaded();
    const second = next(first, "/b");
    const third = next(second, "/c");
    const paused = pause(LIVE, second, T0);
    const [, , atPause, live] = drawn([
      [first, 0],
      [second, 100],
      [shownView(paused, second), 200],
      [third, 300],
    ]);
    expect(rowsOf(atPause!.model, "top-pages")).toEqual(["/a 67%", "/b 33%"]);
    expect(rowsOf(live!.model, "top-pages")).toEqual(["/a 50%", "/b 25%", "/c 25%"]);
  });
});
