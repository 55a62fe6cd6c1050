import { html } from "htm/preact";
import type { ChartModel } from "../site-model.ts";
import { sameChart } from "../same.ts";
import { ChartBars, chartView } from "./chart-bars.ts";
import { pure } from "./pure.ts";

/** A tiny bar chart of pageviews per minute; the current minute (still filling) drawn lighter. */
export const Sparkline = pure<Props>(Bars, (a, b) => a.label === b.label && sameChart(a.chart, b.chart));

interface Props {
  chart: ChartModel;
  label: string;
}

function Bars({ chart, label }: Props) {
  const { x, width, viewBox } = chartView(chart);
  return html`<svg class="sparkline" data-testid="sparkline" viewBox=${viewBox} preserveAspectRatio="none" role="img" aria-label=${label}>
    <${ChartBars} chart=${chart} withSeconds=${false} />
    <line class="chart-base" x1=${x} x2=${x + width} y1="99.5" y2="99.5" vector-effect="non-scaling-stroke" />
  </svg>`;
}
