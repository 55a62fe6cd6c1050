import { expect, test } from "bun:test";
import { presentLabel } from "../../ui/presence-model.ts";
import { siteModel } from "../../ui/site-model.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { EPOCH, snapshot, stats, T0, tick } from "./fixtures.ts";

const pagesOf = (model: ReturnType<typeof siteModel>) => model.lists.find((list) => list.testid === "top-pages")!.rows;

test("'on the site now' and each listed page's tabs, as the frames carry them", () => {
  const view = applyFrame(initialState("shop.test"), snapshot({ stats: stats({ present: 3, pages: [["/", 2, 1], ["/cart", 1]] }) }), T0);
  const model = siteModel(view, T0);
  expect(model.presentNow).toBe(3);
  expect(pagesOf(model).map((row) => [row.value, row.count, row.present])).toEqual([["/", 2, 1], ["/cart", 1, 0]]);

  const next = applyFrame(view, tick(11, { changed: { present: 0, pages: [["/", 2], ["/cart", 1]] } }), T0 + 1000);
  expect(siteModel(next, T0 + 1000).presentNow).toBe(0);
  expect(pagesOf(siteModel(next, T0 + 1000)).map((row) => row.present)).toEqual([0, 0]);
});

test("a server or a view that says nothing of presence shows none: no figure, no 'now' cells", () => {
  const model = siteModel(applyFrame(initialState("shop.test"), snapshot({ stats: stats({ pages: [["/", 2]] }) }), T0), T0);
  expect(model.presentNow).toBeNull();
  expect(pagesOf(model)[0]!.present).toBeUndefined();
});

test("a new sequence's first tick brings presence as it brings every section", () => {
  const view = applyFrame(initialState("shop.test"), snapshot({ stats: stats({ present: 1 }) }), T0);
  const restarted = applyFrame(view, tick(1, { epoch: EPOCH + 5000, changed: stats({ present: 4, pages: [["/", 4, 4]] }) }), T0 + 1000);
  const model = siteModel(restarted, T0 + 1000);
  expect(model.presentNow).toBe(4);
  expect(pagesOf(model)[0]!.present).toBe(4);
});

test("a page's cell names what it counts", () => {
  expect(presentLabel(1)).toBe("1 tab open on this page now");
  expect(presentLabel(0)).toBe("0 tabs open on this page now");
});
