import { expect, test } from "bun:test";
import { SITE_LIST_MINUTES } from "../../src/core/wire/protocol.ts";
import { isTvMode } from "../../ui/display-mode.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { wallModel } from "../../ui/wall-model.ts";
import { sites, T0 } from "./fixtures.ts";

const MINUTE = 60_000;
const minutes = (...newest: number[]) => [...Array<number>(SITE_LIST_MINUTES - newest.length).fill(0), ...newest];

test("a tile per site in the server's order (busiest first), with a sparkline of its minutes", () => {
  const view = applyFrame(
    initialState(null),
    sites({
      time: T0 + 30_000,
      sites: [
        { site: "busy.test", visitors: 12_345, pageviews: 900, minutes: minutes(10, 40, 20) },
        { site: "quiet.test", visitors: 2, pageviews: 3, minutes: minutes(3) },
        { site: "crowded.test", visitors: 1, pageviews: 1 },
      ],
      more: 4,
    }),
    T0 + 30_000,
  );
  const wall = wallModel(view, T0 + 31_000);
  expect(wall.more).toBe(4);
  expect(wall.tiles!.map((tile) => [tile.site, tile.visitorsText])).toEqual([
    ["busy.test", "12.3k"],
    ["quiet.test", "2"],
    ["crowded.test", "1"],
  ]);
  const busy = wall.tiles![0]!.sparkline!;
  expect(busy.bars).toHaveLength(SITE_LIST_MINUTES);
  expect(busy.bars.slice(-3).map((bar) => bar.count)).toEqual([10, 40, 20]);
  expect(busy.bars.at(-1)!.t).toBe(T0); // the minute that holds the frame's time
  expect(busy.bars.slice(-3).map((bar) => bar.height)).toEqual([20, 80, 40]);
  expect(busy.total).toBe(70);
  expect(wall.tiles![2]!.sparkline).toBeNull();
});

test("between frames the sparklines slide on the server's clock", () => {
  const view = applyFrame(initialState(null), sites({ time: T0, sites: [{ site: "a.test", visitors: 1, pageviews: 5, minutes: minutes(2, 3) }] }), T0 - 5000);
  // Two minutes later on the server's clock (the client's runs 5 s behind).
  const bars = wallModel(view, T0 + 2 * MINUTE - 5000).tiles![0]!.sparkline!.bars;
  expect(bars.map((bar) => bar.count).slice(-4)).toEqual([2, 3, 0, 0]);
});

test("no tiles before the first sites frame", () => {
  expect(wallModel(initialState(null), T0).tiles).toBeNull();
});

test("isTvMode: ?tv in any form but an explicit no", () => {
  expect(isTvMode("")).toBe(false);
  expect(isTvMode("?site=a.test")).toBe(false);
  expect(isTvMode("?tv")).toBe(true);
  expect(isTvMode("?tv=1&site=a.test")).toBe(true);
  expect(isTvMode("?site=a.test&tv")).toBe(true);
  expect(isTvMode("?tv=0")).toBe(false);
  expect(isTvMode("?tv=FALSE")).toBe(false);
});
