import { html } from "htm/preact";
import type { SiteSummary } from "../../src/core/wire/protocol.ts";
import { formatNumber } from "../format.ts";
import { WALL_HREF } from "../display-mode.ts";
import { siteHref } from "../route.ts";
import { CurlHint } from "./curl-hint.ts";
import { pure } from "./pure.ts";

interface Props {
  /** null until the first sites frame. */
  sites: SiteSummary[] | null;
  more: number;
  origin: string;
}

/** The sites, busiest first: drawn again only when a sites frame changes them. */
export const SiteList = pure<Props>(Sites);

function Sites({ sites, more, origin }: Props) {
  if (sites === null) return html`<section class="card" data-testid="site-list"><p class="empty">Loading sites…</p></section>`;
  if (sites.length === 0) {
    return html`<section class="card hint" data-testid="site-list">
      <h2>No sites yet</h2>
      <p>Sites appear here with their first pageview. Add the tracker to a page, or send one by hand:</p>
      <${CurlHint} origin=${origin} domain="example.com" />
    </section>`;
  }
  return html`<section class="card site-list">
    <header class="site-list-head">
      <h2 class="card-title">Busiest first</h2>
      <a href=${WALL_HREF} data-testid="wall-link">Wall display of all sites</a>
    </header>
    <div class="site-row site-head" aria-hidden="true">
      <span>Site</span><span class="num">Visitors now</span><span class="num">Pageviews 30 min</span>
    </div>
    <ul data-testid="site-list">
      ${sites.map(
        (site) => html`<li key=${site.site}>
          <a
            class="site-row"
            data-testid="site-link"
            href=${siteHref(site.site)}
            aria-label=${`${site.site}: ${formatNumber(site.visitors)} visitors now, ${formatNumber(site.pageviews)} pageviews in 30 minutes`}
          >
            <span class="site-name">${site.site}</span>
            <span class="num"><span class=${site.visitors > 0 ? "pulse" : "pulse pulse-idle"} aria-hidden="true"></span>${formatNumber(site.visitors)}</span>
            <span class="num">${formatNumber(site.pageviews)}</span>
          </a>
        </li>`,
      )}
    </ul>
    ${more > 0 && html`<p class="muted more">and ${formatNumber(more)} quieter sites</p>`}
  </section>`;
}
