import { html } from "htm/preact";
import { barTitle } from "../format.ts";
import type { ChartModel } from "../site-model.ts";
import { pure } from "./pure.ts";

/** viewBox units per bar; the SVG stretches to its box. */
export const BAR = 10;

/**
 * The part of the bars' axis the chart shows: its bars keep their places (ChartBar.slot) and the
 * view moves, so when the window slides one bar leaves, one comes and the others stay as drawn.
 */
export function chartView(chart: ChartModel): { x: number; width: number; viewBox: string } {
  const x = (chart.bars[0]?.slot ?? 0) * BAR;
  const width = chart.bars.length * BAR;
  return { x, width, viewBox: `${x} 0 ${width} 100` };
}

/** The bars, each keyed by its time and drawn again only when its height, count or "still filling" changed. */
export function ChartBars({ chart, withSeconds }: { chart: ChartModel; withSeconds: boolean }) {
  const last = chart.bars.length - 1;
  return chart.bars.map(
    (bar, i) => html`<${ChartBar} key=${bar.t} slot=${bar.slot} height=${bar.height} current=${i === last} title=${barTitle(bar.t, bar.count, withSeconds)} />`,
  );
}

const ChartBar = pure<{ slot: number; height: number; current: boolean; title: string }>(
  ({ slot, height, current, title }) =>
    html`<rect class=${current ? "bar bar-current" : "bar"} x=${slot * BAR + 1} y=${100 - height} width=${BAR - 2} height=${height}><title>${title}</title></rect>`,
);
