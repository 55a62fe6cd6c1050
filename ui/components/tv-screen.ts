import { html } from "htm/preact";
import type { Freshness } from "../freshness.ts";
import type { Stats } from "../../src/core/wire/protocol.ts";
import type { ViewState } from "../view-model.ts";
import { wallModel } from "../wall-model.ts";
import { FreshnessBar, StaleBanner } from "./freshness-bar.ts";
import { SiteWall } from "./site-wall.ts";
import { TvSiteView } from "./tv-site-view.ts";

/** `?tv`: one site, or with no site the wall of every site. Nothing to click: it is watched, not used. */
export function TvScreen({ view, lists, freshness, now }: { view: ViewState; lists?: Stats; freshness: Freshness; now: number }) {
  return html`<div class="tv-screen">
    <header class="tv-head">
      <h1 class="tv-title"><span class="brand-mark" aria-hidden="true"></span>${view.site ?? "All sites"}</h1>
      <${FreshnessBar} freshness=${freshness} />
    </header>
    ${freshness.stale !== null && html`<${StaleBanner} text=${freshness.stale} />`}
    <main class=${freshness.stale === null ? "tv-content" : "tv-content stale"}>
      ${view.site === null ? html`<${SiteWall} wall=${wallModel(view, now)} />` : html`<${TvSiteView} view=${view} lists=${lists} now=${now} />`}
    </main>
  </div>`;
}
