import { html } from "htm/preact";
import type { ConnectionState } from "../connection.ts";
import type { Dimension, Filters } from "../filters.ts";
import { freshness } from "../freshness.ts";
import type { Stats } from "../../src/core/wire/protocol.ts";
import type { ViewState } from "../view-model.ts";
import { FreshnessBar, StaleBanner } from "./freshness-bar.ts";
import { InvalidSite } from "./invalid-site.ts";
import { SiteList } from "./site-list.ts";
import { SiteView, type ViewControls } from "./site-view.ts";
import { TvScreen } from "./tv-screen.ts";

interface Props {
  view: ViewState;
  /** What the lists, the map and the tabs open now are drawn from (ui/list-pace.ts); the view's figures by default. */
  lists?: Stats;
  connection: ConnectionState;
  /** Client clock at this render. */
  now: number;
  origin: string;
  /** The URL's `site` when it names no site: the page says so instead of connecting. */
  invalidSite?: string;
  /** `?tv`: a wall display. */
  tv?: boolean;
  /** The view's filters, and how the page changes them (see main.ts). */
  filters?: Filters;
  onFilter?: (dimension: Dimension, value: string) => void;
  onRemoveFilter?: (dimension: Dimension) => void;
  /** The window switch and pause & rewind; `pausedAt`: the moment shown while paused (server time). */
  controls?: ViewControls;
  pausedAt?: number | null;
}

export function App({ view, lists, connection, now, origin, invalidSite, tv = false, filters, onFilter, onRemoveFilter, controls, pausedAt = null }: Props) {
  const fresh = freshness(view, connection, now, pausedAt);
  if (tv && invalidSite === undefined) return html`<${TvScreen} view=${view} lists=${lists} freshness=${fresh} now=${now} />`;
  const stale = connection.status !== "open" && invalidSite === undefined && pausedAt === null;
  return html`<header class="topbar">
      <a class="brand" href="/" aria-label="Pulse: all sites"><span class="brand-mark" aria-hidden="true"></span>Pulse</a>
      <nav class="crumbs" aria-label="Where you are">
        ${view.site === null
          ? html`<h1 class="crumb-title">Sites</h1>`
          : html`<a href="/" data-testid="back-link">All sites</a><span class="crumb-sep" aria-hidden="true">/</span><h1 class="crumb-title">${view.site}</h1>`}
      </nav>
      <${FreshnessBar} freshness=${fresh} />
    </header>
    ${fresh.stale !== null && invalidSite === undefined && html`<${StaleBanner} text=${fresh.stale} />`}
    <main class=${stale ? "content stale" : "content"}>
      ${invalidSite !== undefined
        ? html`<${InvalidSite} value=${invalidSite} />`
        : view.site === null
        ? html`<${SiteList} sites=${view.sites} more=${view.sitesMore} origin=${origin} />`
        : html`<${SiteView} view=${view} lists=${lists} now=${now} origin=${origin} filters=${filters} onFilter=${onFilter} onRemoveFilter=${onRemoveFilter} controls=${controls} />`}
    </main>`;
}
