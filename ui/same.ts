/**
 * Whether two renders' models draw the same thing. The models are shaped again on every render;
 * these compare what they hold, so a card whose figures did not change is not drawn again. Pure.
 */
import { barPercent } from "./format.ts";
import type { ChartModel, ListRow, TopListModel } from "./site-model.ts";

/** Same keys, and each value the same by `Object.is`; functions only need to be both there or both absent. */
export function sameFields(a: object, b: object): boolean {
  if (a === b) return true;
  const before = a as Record<string, unknown>;
  const after = b as Record<string, unknown>;
  const keys = Object.keys(before);
  if (keys.length !== Object.keys(after).length) return false;
  for (const key of keys) {
    const x = before[key];
    const y = after[key];
    if (Object.is(x, y)) continue;
    if (typeof x === "function" && typeof y === "function") continue;
    return false;
  }
  return true;
}

/** Two lists of the same length whose items are the same by `same`. */
export function sameItems<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i]!, b[i]!)) return false;
  }
  return true;
}

export function sameList(a: TopListModel, b: TopListModel): boolean {
  return a.testid === b.testid && a.title === b.title && a.unit === b.unit && sameItems(a.rows, b.rows, sameRow);
}

/**
 * Whether two rows draw the same: the share itself is not drawn (its percent is) and the bar
 * only to a whole percent, so a row whose share moved a little under a growing total is not
 * drawn again.
 */
export function sameRow(a: ListRow, b: ListRow): boolean {
  if (a === b) return true;
  const drawn = a.value === b.value && a.label === b.label && a.count === b.count && a.percent === b.percent && a.present === b.present && barPercent(a.width) === barPercent(b.width);
  if (!drawn) return false;
  if (a.props === undefined || b.props === undefined) return a.props === b.props;
  return sameItems(a.props, b.props, sameFields);
}

export function sameChart(a: ChartModel, b: ChartModel): boolean {
  return a.max === b.max && a.half === b.half && a.total === b.total && sameItems(a.bars, b.bars, sameFields);
}
