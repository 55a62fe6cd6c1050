import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { WallModel } from "../wall-model.ts";
import { Sparkline } from "./sparkline.ts";

/** Every site's visitors now, busiest first, each with its last minutes: for a screen across a room. */
export function SiteWall({ wall }: { wall: WallModel }) {
  if (wall.tiles === null) return html`<p class="empty" data-testid="wall">Loading sites…</p>`;
  if (wall.tiles.length === 0) return html`<p class="empty" data-testid="wall">No sites yet: they appear with their first pageview.</p>`;
  return html`<ol class="wall" data-testid="wall">
      ${wall.tiles.map(
        (tile) => html`<li key=${tile.site} class="wall-tile" data-testid="wall-tile">
          <h2 class="wall-site">${tile.site}</h2>
          <p class="wall-figure">
            <span class="wall-visitors" data-testid="wall-visitors">${tile.visitorsText}</span>
            <span class="wall-unit">visitors now</span>
          </p>
          ${tile.sparkline === null
            ? html`<p class="wall-note">${formatNumber(tile.pageviews)} pageviews in 30 min</p>`
            : html`<${Sparkline} chart=${tile.sparkline} label=${`${tile.site}: ${tile.sparkline.total} pageviews in the last ${tile.sparkline.bars.length} minutes`} />`}
        </li>`,
      )}
    </ol>
    ${wall.more > 0 && html`<p class="wall-note wall-more">and ${formatNumber(wall.more)} quieter sites</p>`}`;
}
