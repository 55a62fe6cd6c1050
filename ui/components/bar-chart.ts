import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { ChartModel } from "../site-model.ts";
import { sameChart, sameFields } from "../same.ts";
import { ChartBars, chartView } from "./chart-bars.ts";
import { pure } from "./pure.ts";

interface Props {
  testid: string;
  title: string;
  chart: ChartModel;
  /** Label of the oldest bar, e.g. "30 min ago". */
  since: string;
  /** Label of the newest bar: "now", or the moment a paused view shows. */
  until?: string;
  withSeconds: boolean;
}

/** Bars in an inline SVG: the newest bar (still filling) on the right, drawn lighter. */
export const BarChart = pure<Props>(Chart, ({ chart: a, ...restA }, { chart: b, ...restB }) => sameChart(a, b) && sameFields(restA, restB));

function Chart({ testid, title, chart, since, until = "now", withSeconds }: Props) {
  const { x, width, viewBox } = chartView(chart);
  return html`<figure class="card chart" data-testid=${testid}>
    <figcaption>
      <h2 class="card-title">${title}</h2>
      <span class="chart-total">${formatNumber(chart.total)} pageviews</span>
    </figcaption>
    <div class="chart-plot">
      <div class="chart-y" aria-hidden="true"><span>${formatNumber(chart.max)}</span><span>${chart.half === null ? null : formatNumber(chart.half)}</span><span>0</span></div>
      <svg viewBox=${viewBox} preserveAspectRatio="none" role="img" aria-label=${`${title}: ${chart.total} pageviews`}>
        <line class="chart-grid" x1=${x} x2=${x + width} y1="0.5" y2="0.5" vector-effect="non-scaling-stroke" />
        <line class="chart-grid" x1=${x} x2=${x + width} y1="50" y2="50" vector-effect="non-scaling-stroke" />
        <${ChartBars} chart=${chart} withSeconds=${withSeconds} />
        <line class="chart-base" x1=${x} x2=${x + width} y1="99.5" y2="99.5" vector-effect="non-scaling-stroke" />
      </svg>
    </div>
    <div class="chart-x" aria-hidden="true"><span>${since}</span><span>${until}</span></div>
  </figure>`;
}
