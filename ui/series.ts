/** Shapes a Series for a bar chart drawn against the client's clock. Pure. */
import type { Series } from "../src/core/wire/protocol.ts";

export interface Bar {
  /** Start of the bucket, epoch ms (server clock). */
  t: number;
  count: number;
}

/**
 * The `length` buckets ending with the one that contains `now`, oldest first. The server sends a
 * series only when it changes, so between frames the chart slides left here: buckets that fell
 * out of the window drop, buckets the series has not reached yet count zero.
 */
export function seriesToBars(series: Series, now: number, length: number = series.counts.length): Bar[] {
  const { step, last, counts } = series;
  // How many buckets `now` is past the series' newest one; never slide backwards.
  const shift = step > 0 ? Math.max(0, Math.floor((now - last) / step)) : 0;
  const newest = last + shift * step;
  const bars: Bar[] = [];
  for (let i = 0; i < length; i++) {
    const back = length - 1 - i; // buckets before the newest
    const index = counts.length - 1 - back + shift;
    bars.push({ t: newest - back * step, count: counts[index] ?? 0 });
  }
  return bars;
}

/** A round ceiling for the chart's y axis (1, 2, 5, 10, 20, 50, ...), at least 1. */
export function niceMax(values: number[]): number {
  const max = Math.max(1, ...values);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * magnitude >= max) return factor * magnitude;
  }
  return 10 * magnitude;
}

export function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
