import { html } from "htm/preact";
import { barTitle } from "../format.ts";
import type { ChartModel } from "../site-model.ts";
import { sameChart } from "../same.ts";
import { pure } from "./pure.ts";

const BAR = 10; // viewBox units per bar, as in bar-chart.ts

/** A tiny bar chart of pageviews per minute; the current minute (still filling) drawn lighter. */
export const Sparkline = pure<Props>(Bars, (a, b) => a.label === b.label && sameChart(a.chart, b.chart));

interface Props {
  chart: ChartModel;
  label: string;
}

function Bars({ chart, label }: Props) {
  const width = chart.bars.length * BAR;
  const last = chart.bars.length - 1;
  return html`<svg class="sparkline" data-testid="sparkline" viewBox=${`0 0 ${width} 100`} preserveAspectRatio="none" role="img" aria-label=${label}>
    ${chart.bars.map(
      (bar, i) => html`<rect class=${i === last ? "bar bar-current" : "bar"} x=${i * BAR + 1} y=${100 - bar.height} width=${BAR - 2} height=${bar.height}>
        <title>${barTitle(bar.t, bar.count, false)}</title>
      </rect>`,
    )}
    <line class="chart-base" x1="0" x2=${width} y1="99.5" y2="99.5" vector-effect="non-scaling-stroke" />
  </svg>`;
}
