import { describe, expect, test } from "bun:test";
import { applyFrame, emptyStats, FEED_LIMIT, initialState, snapshotRequest, type ViewState } from "../../ui/view-model.ts";
import { EPOCH, feedItem, sites, snapshot, stats, T0, tick } from "./fixtures.ts";

const paths = (state: ViewState) => state.feed.map((entry) => entry.item.p);

describe("applyFrame: snapshot", () => {
  test("replaces stats, seq and feed; feed becomes newest first", () => {
    const snap = snapshot({
      seq: 41,
      stats: stats({ visitors: { last5m: 3, last30m: 9, capped: false }, pages: [["/a", 2], ["/b", 1]] }),
      feed: [feedItem("/old", T0 - 2000), feedItem("/mid", T0 - 1000), feedItem("/new", T0)],
    });
    const state = applyFrame(initialState("shop.test"), snap);
    expect(state.loaded).toBe(true);
    expect(state.seq).toBe(41);
    expect(state.stats.visitors.last5m).toBe(3);
    expect(state.stats.pages).toEqual([["/a", 2], ["/b", 1]]);
    expect(paths(state)).toEqual(["/new", "/mid", "/old"]);
  });

  test("a second snapshot (after a reconnect) replaces everything and clears the gap count", () => {
    let state = applyFrame(initialState("shop.test"), snapshot({ seq: 1, feed: [feedItem("/first")] }));
    state = applyFrame(state, tick(5, { feed: [feedItem("/gap")] }));
    expect(state.seqGaps).toBe(1);
    state = applyFrame(state, snapshot({ seq: 9, feed: [feedItem("/fresh")] }));
    expect(paths(state)).toEqual(["/fresh"]);
    expect(state.seqGaps).toBe(0);
    expect(state.seq).toBe(9);
  });

  test("a snapshot for another site is ignored", () => {
    const before = initialState("shop.test");
    expect(applyFrame(before, snapshot({ site: "other.test" }))).toBe(before);
  });

  test("records the server's clock offset against the time the frame arrived", () => {
    const state = applyFrame(initialState("shop.test"), snapshot({ time: T0 }), T0 - 1500);
    expect(state.clockOffset).toBe(1500);
  });
});

describe("applyFrame: tick", () => {
  const base = () =>
    applyFrame(
      initialState("shop.test"),
      snapshot({
        seq: 10,
        stats: stats({ visitors: { last5m: 1, last30m: 1, capped: false }, pages: [["/a", 1]], browsers: [["Chrome", 1]] }),
        feed: [feedItem("/a")],
      }),
    );

  test("a tick the snapshot already holds is ignored, so its feed is not shown twice", () => {
    const before = base();
    expect(applyFrame(before, tick(10, { feed: [feedItem("/a")] }))).toBe(before);
    expect(applyFrame(before, tick(9, { feed: [feedItem("/older")] }))).toBe(before);
  });

  test("merges only the changed sections", () => {
    const state = applyFrame(base(), tick(11, { changed: { visitors: { last5m: 2, last30m: 2, capped: false }, pages: [["/b", 1], ["/a", 1]] } }));
    expect(state.stats.visitors.last5m).toBe(2);
    expect(state.stats.pages).toEqual([["/b", 1], ["/a", 1]]);
    expect(state.stats.browsers).toEqual([["Chrome", 1]]);
    expect(state.seq).toBe(11);
    expect(state.seqGaps).toBe(0);
  });

  test("does not mutate the previous state", () => {
    const before = base();
    const snapshotOfBefore = structuredClone(before);
    applyFrame(before, tick(11, { changed: { pages: [] }, feed: [feedItem("/x")] }));
    expect(before).toEqual(snapshotOfBefore);
  });

  test("puts this tick's feed items in front, newest first", () => {
    const state = applyFrame(base(), tick(11, { feed: [feedItem("/b", T0 + 1), feedItem("/c", T0 + 2)] }));
    expect(paths(state)).toEqual(["/c", "/b", "/a"]);
    const keys = state.feed.map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("keeps at most FEED_LIMIT feed items, dropping the oldest", () => {
    let state = base();
    for (let seq = 11; seq < 11 + 30; seq++) {
      const items = Array.from({ length: 5 }, (_, i) => feedItem(`/p${seq}-${i}`));
      state = applyFrame(state, tick(seq, { feed: items }));
    }
    expect(state.feed.length).toBe(FEED_LIMIT);
    expect(state.feed[0]?.item.p).toBe("/p40-4");
    expect(state.feed.at(-1)?.item.p).toBe("/p21-0");
    expect(paths(state)).not.toContain("/a");
  });

  test("adds up the feed items the server did not send", () => {
    let state = applyFrame(base(), tick(11, { more: 7 }));
    state = applyFrame(state, tick(12, { more: 3 }));
    expect(state.feedSkipped).toBe(10);
  });

  test("a tick out of sequence is applied and counted as a gap", () => {
    const state = applyFrame(base(), tick(13, { changed: { pages: [["/late", 4]] } }));
    expect(state.stats.pages).toEqual([["/late", 4]]);
    expect(state.seq).toBe(13);
    expect(state.seqGaps).toBe(1);
    const next = applyFrame(state, tick(14));
    expect(next.seqGaps).toBe(1);
    expect(applyFrame(next, tick(16)).seqGaps).toBe(2);
  });

  test("a tick before any snapshot counts as a gap", () => {
    expect(applyFrame(initialState("shop.test"), tick(1)).seqGaps).toBe(1);
  });

  test("a tick for another site is ignored", () => {
    const before = base();
    const after = applyFrame(before, tick(11, { site: "other.test", changed: { pages: [["/x", 9]] }, feed: [feedItem("/x")] }));
    expect(after).toBe(before);
    expect(after.stats.pages).toEqual([["/a", 1]]);
  });

  test("on the site list, site ticks are ignored", () => {
    const list = initialState(null);
    expect(applyFrame(list, tick(1))).toBe(list);
  });
});

describe("applyFrame: the site's sequence starts over", () => {
  // The site went quiet for over 30 minutes, the server forgot it, and a visitor came back.
  const RESTARTED = T0 + 40 * 60_000;
  const quietThenBack = () =>
    applyFrame(
      initialState("shop.test"),
      snapshot({ seq: 40, stats: stats({ visitors: { last5m: 0, last30m: 0, capped: false }, pages: [["/old", 3]] }), feed: [feedItem("/old")] }),
    );
  const baseline = (overrides = {}) =>
    tick(1, {
      epoch: RESTARTED,
      time: RESTARTED,
      changed: { ...emptyStats(), visitors: { last5m: 1, last30m: 1, capped: false }, pages: [["/again", 1]] },
      feed: [feedItem("/again", RESTARTED)],
      ...overrides,
    });

  test("the first tick of a new sequence is taken as the new baseline, however low its seq", () => {
    const state = applyFrame(quietThenBack(), baseline());
    expect(state.stats.visitors.last5m).toBe(1);
    expect(state.stats.pages).toEqual([["/again", 1]]);
    expect(paths(state)).toEqual(["/again"]);
    expect(state).toMatchObject({ seq: 1, epoch: RESTARTED, seqGaps: 0, needsSnapshot: false });
    // And the sequence is followed from there.
    const next = applyFrame(state, tick(2, { epoch: RESTARTED, changed: { visitors: { last5m: 2, last30m: 2, capped: false } } }));
    expect(next.stats.visitors.last5m).toBe(2);
    expect(next.stats.pages).toEqual([["/again", 1]]);
  });

  test("a later tick of a sequence never joined is not merged: the view asks for a snapshot, once", () => {
    const before = quietThenBack();
    const lost = applyFrame(before, tick(7, { epoch: RESTARTED, changed: { visitors: { last5m: 5, last30m: 5, capped: false } } }));
    expect(lost.needsSnapshot).toBe(true);
    expect(lost.stats).toEqual(before.stats);
    expect(snapshotRequest(before, lost)).toBe(JSON.stringify({ type: "watch", site: "shop.test" }));
    const again = applyFrame(lost, tick(8, { epoch: RESTARTED }));
    expect(again).toBe(lost);
    expect(snapshotRequest(lost, again)).toBeNull();
    const fresh = applyFrame(again, snapshot({ seq: 8, epoch: RESTARTED, stats: stats({ visitors: { last5m: 5, last30m: 5, capped: false } }) }));
    expect(fresh).toMatchObject({ needsSnapshot: false, seq: 8, epoch: RESTARTED });
    expect(applyFrame(fresh, tick(9, { epoch: RESTARTED, changed: { pages: [["/z", 1]] } })).stats.pages).toEqual([["/z", 1]]);
  });

  test("a dashboard opened on a site with no data yet (epoch 0) follows its first tick", () => {
    const empty = applyFrame(initialState("shop.test"), snapshot({ seq: 0, epoch: 0 }));
    expect(applyFrame(empty, baseline()).stats.visitors.last5m).toBe(1);
  });

  test("within one sequence, repeats are still ignored", () => {
    const state = applyFrame(quietThenBack(), tick(40, { epoch: EPOCH, feed: [feedItem("/old")] }));
    expect(paths(state)).toEqual(["/old"]);
  });
});

describe("applyFrame: sites", () => {
  test("replaces the site list", () => {
    let state = applyFrame(initialState(null), sites({ sites: [{ site: "a.test", visitors: 1, pageviews: 2 }], more: 0 }));
    expect(state.sites).toEqual([{ site: "a.test", visitors: 1, pageviews: 2 }]);
    state = applyFrame(state, sites({ sites: [{ site: "b.test", visitors: 5, pageviews: 9 }], more: 3 }));
    expect(state.sites?.map((s) => s.site)).toEqual(["b.test"]);
    expect(state.sitesMore).toBe(3);
  });

  test("the list is null until the first sites frame, then possibly empty", () => {
    const state = initialState(null);
    expect(state.sites).toBeNull();
    expect(applyFrame(state, sites()).sites).toEqual([]);
  });
});

describe("snapshotRequest of a narrowed view", () => {
  test("asks again for the same view: its filters and window, not the whole site", () => {
    const filters = { country: "FR" };
    const windowed = { ...snapshot({ seq: 6, filters }), window: 5 as const };
    let before = applyFrame(initialState("shop.test", { filters, window: 5 }), windowed);
    before = applyFrame(before, tick(7));
    const lost = applyFrame(before, tick(9, { epoch: EPOCH + 1 }));
    expect(JSON.parse(snapshotRequest(before, lost)!)).toEqual({ type: "watch", site: "shop.test", filters: { country: "FR" }, window: 5 });
  });
});
