import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import { siteModel } from "../site-model.ts";
import type { Stats } from "../../src/core/wire/protocol.ts";
import type { ViewState } from "../view-model.ts";
import { BarChart } from "./bar-chart.ts";
import { LiveFeed } from "./live-feed.ts";
import { WorldMap } from "./world-map.ts";

/** Feed rows a wall screen shows: as many as fit at its large type. */
const TV_FEED_ROWS = 12;

/** One site on a wall screen: the headline numbers in large type, the per-second chart, the map, the feed. No controls. */
export function TvSiteView({ view, lists = view.stats, now }: { view: ViewState; lists?: Stats; now: number }) {
  const model = siteModel(view, now, lists);
  const approx = model.capped ? "≈" : "";
  return html`<div class="tv-site" data-testid="tv-site">
    <section class="tv-numbers">
      <div class="tv-number tv-number-main">
        <h2 class="tv-label">Visitors now</h2>
        <p class="tv-value">${approx}<span data-testid="current-visitors">${formatNumber(model.currentVisitors)}</span></p>
        <p class="tv-note">${model.labels.now}</p>
      </div>
      <div class="tv-number">
        <h2 class="tv-label">Visitors</h2>
        <p class="tv-value">${approx}<span data-testid="visitors-30m">${formatNumber(model.visitors30m)}</span></p>
        <p class="tv-note">${model.labels.window}</p>
      </div>
      <div class="tv-number">
        <h2 class="tv-label">Pageviews</h2>
        <p class="tv-value">${formatNumber(model.pageviews30m)}</p>
        <p class="tv-note">${model.labels.window}</p>
      </div>
    </section>
    <div class="tv-body">
      <div class="tv-main">
        <${BarChart} testid="chart-seconds" title="Pageviews per second" chart=${model.perSecond} since="60 s ago" withSeconds=${true} />
        <${WorldMap} countries=${lists.countries} unit=${`visitors, ${model.labels.window}`} withTable=${false} />
      </div>
      <${LiveFeed} rows=${model.feed.slice(0, TV_FEED_ROWS)} skipped=${view.feedSkipped} scrolls=${false} />
    </div>
  </div>`;
}
