import { html } from "htm/preact";
import { clockTime, formatNumber } from "../format.ts";
import { siteModel } from "../site-model.ts";
import type { Stats } from "../../src/core/wire/protocol.ts";
import type { ViewState } from "../view-model.ts";
import { BarChart } from "./bar-chart.ts";
import { dimensionOfList, type Dimension, type Filters } from "../filters.ts";
import { CurlHint } from "./curl-hint.ts";
import { FilterBar } from "./filter-bar.ts";
import { ExportCard } from "./export-card.ts";
import { LiveFeed } from "./live-feed.ts";
import { TopListCard } from "./top-list.ts";
import { WorldMap } from "./world-map.ts";
import type { ScrubberModel } from "../rewind-model.ts";
import type { ViewWindow } from "../view-window.ts";
import { RewindBar } from "./rewind-bar.ts";
import { WindowSwitch } from "./window-switch.ts";

/** How the viewer chooses the window and pauses, rewinds and goes live again (see main.ts). */
export interface ViewControls {
  /** The window asked for (the URL's). */
  window: ViewWindow;
  onWindow: (window: ViewWindow) => void;
  /** The scrubber while paused; null while live. */
  scrubber: ScrubberModel | null;
  /** Pause, or Go live when paused. */
  onPauseToggle: () => void;
  /** The scrubber moved: seconds before the pause moment (negative). */
  onScrub: (secondsBefore: number) => void;
}

interface Props {
  view: ViewState;
  /** What the lists, the map and the tabs open now are drawn from (ui/list-pace.ts); the view's figures by default. */
  lists?: Stats;
  /** The client's clock. */
  now: number;
  origin: string;
  /** What the view is narrowed by, and how a click narrows or widens it (absent: rows are not clickable). */
  filters?: Filters;
  onFilter?: (dimension: Dimension, value: string) => void;
  onRemoveFilter?: (dimension: Dimension) => void;
  controls?: ViewControls;
}

/** One site's realtime view. */
export function SiteView({ view, lists = view.stats, now, origin, filters = {}, onFilter, onRemoveFilter, controls }: Props) {
  const model = siteModel(view, now, lists);
  const selectIn = (testid: string) => {
    const dimension = dimensionOfList(testid);
    return onFilter && dimension ? (value: string) => onFilter(dimension, value) : undefined;
  };
  const approx = model.capped
    ? html`<span class="muted" title="Estimated, within a few percent: too many visitors to count one by one. The lists count the visitors tracked one by one.">≈</span>`
    : null;
  // An empty moment of a rewound view is not a site that never got a pageview.
  const waiting = view.loaded && view.shownAt === null && model.visitors30m === 0 && model.feed.length === 0;
  const { labels } = model;
  // A paused view's charts end at its moment, not now.
  const until = view.shownAt === null ? "now" : clockTime(view.shownAt, true);
  return html`<div class="site-view">
    ${controls &&
    html`<div class="view-controls">
      <${WindowSwitch} window=${controls.window} onChange=${controls.onWindow} />
      <button type="button" class="button pause-toggle" data-testid="pause-toggle" onClick=${controls.onPauseToggle}>${controls.scrubber ? "Go live" : "Pause"}</button>
    </div>`}
    ${controls?.scrubber && html`<${RewindBar} scrubber=${controls.scrubber} onScrub=${controls.onScrub} />`}
    ${onRemoveFilter && html`<${FilterBar} filters=${filters} onRemove=${onRemoveFilter} />`}
    <section class="card numbers">
      <h2 class="sr-only">Visitors and pageviews</h2>
      <div class="number number-main">
        <span class="number-label" data-testid="visitors-now-label"><span class="pulse" aria-hidden="true"></span>${labels.visitorsNow}</span>
        <span class="number-value">${approx}<span data-testid="current-visitors">${model.currentVisitors}</span></span>
      </div>
      ${model.presentNow !== null &&
      html`<div class="number" title="Tabs with a page of the site open right now">
        <span class="number-label" id="present-now-label">On the site now</span>
        <span class="number-value" data-testid="present-now" aria-labelledby="present-now-label">${formatNumber(model.presentNow)}</span>
      </div>`}
      <div class="number">
        <span class="number-label" data-testid="visitors-label">${labels.visitors}</span>
        <span class="number-value">${approx}<span data-testid="visitors-30m">${formatNumber(model.visitors30m)}</span></span>
      </div>
      <div class="number">
        <span class="number-label" data-testid="pageviews-label">${labels.pageviews}</span>
        <span class="number-value" data-testid="pageviews">${formatNumber(model.pageviews30m)}</span>
      </div>
    </section>
    ${waiting &&
    html`<section class="card hint">
      <p>No pageviews for <strong>${view.site}</strong> yet. Send one to see it arrive:</p>
      <${CurlHint} origin=${origin} domain=${view.site} />
    </section>`}
    <div class="charts">
      <${BarChart} testid="chart-minutes" title="Pageviews per minute" chart=${model.perMinute} since=${labels.chartSince} until=${until} withSeconds=${false} />
      <${BarChart} testid="chart-seconds" title="Pageviews per second" chart=${model.perSecond} since="60 s ago" until=${until} withSeconds=${true} />
    </div>
    <${WorldMap} countries=${lists.countries} unit=${`visitors, ${labels.window}`} onSelect=${selectIn("top-countries")} />
    <div class="site-columns">
      <div class="lists">${model.lists.map((list) => html`<${TopListCard} key=${list.testid} list=${list} onSelect=${selectIn(list.testid)} />`)}</div>
      <${LiveFeed} rows=${model.feed} skipped=${view.feedSkipped} />
    </div>
    ${view.loaded && view.site !== null && html`<${ExportCard} site=${view.site} model=${model} serverNow=${view.shownAt ?? now + view.clockOffset} rewound=${view.shownAt !== null} filters=${filters} />`}
    ${view.seqGaps > 0 &&
    html`<p class="muted gap-note">Missed ${view.seqGaps} update${view.seqGaps === 1 ? "" : "s"}; figures catch up as they change.</p>`}
  </div>`;
}
