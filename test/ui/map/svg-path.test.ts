import { expect, test } from "bun:test";
import { keptPoints, type Point } from "../../../ui/map/simplify-arcs.ts";
import { pathData, RingCollector } from "../../../ui/map/svg-path.ts";

test("rings become relative steps in whole units, closed with z", () => {
  expect(pathData([[[10, 20], [15, 20], [15, 12], [8, 18], [10, 20]]])).toBe("M10 20l5 0 0-8-7 6z");
  expect(pathData([[[0, 0], [4, 0], [4, 4]], [[9, 9], [10, 9], [10, 10]]])).toBe("M0 0l4 0 0 4zM9 9l1 0 0 1z");
});

test("rings that round to fewer than three points are left out", () => {
  expect(pathData([[[1, 1], [2, 1], [1, 1]], [[5, 5]]])).toBe("");
});

test("the collector rounds to whole units and drops points that land on the one before", () => {
  const collector = new RingCollector();
  collector.moveTo(0.4, 0.4);
  collector.lineTo(0.2, 0.3);
  collector.lineTo(3.6, 0.4);
  collector.lineTo(3.4, 2.5);
  collector.closePath();
  expect(collector.rings).toEqual([[[0, 0], [4, 0], [3, 3]]]);
});

test("simplifying keeps the ends and the points that stand out more than the tolerance", () => {
  const arc: Point[] = [[0, 0], [1, 0.2], [2, 0], [3, 5], [4, 0]];
  expect([...keptPoints(arc, 0.5)]).toEqual([1, 0, 1, 1, 1]);
  expect([...keptPoints(arc, 10)]).toEqual([1, 0, 0, 0, 1]);
  expect([...keptPoints([[0, 0], [5, 5], [0, 0]], 1)]).toEqual([1, 1, 1]); // a closed arc keeps its far point
});
