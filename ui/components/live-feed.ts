import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { FeedRow } from "../site-model.ts";

/**
 * The latest pageviews and events, newest first. A feed that scrolls can be focused, so that
 * the keyboard scrolls it; on a wall screen it shows what fits and takes no focus.
 */
export function LiveFeed({ rows, skipped, scrolls = true }: { rows: FeedRow[]; skipped: number; scrolls?: boolean }) {
  return html`<section class="card feed-card">
    <header class="card-head">
      <h2 class="card-title">Live feed</h2>
      ${skipped > 0 && html`<span class="muted" title="Busy ticks send a sample of their events">${formatNumber(skipped)} not shown</span>`}
    </header>
    ${rows.length === 0 && html`<p class="empty">Pageviews appear here as they arrive.</p>`}
    <ol class="feed" data-testid="feed" tabindex=${scrolls ? 0 : undefined} aria-label="Live feed, newest first">
      ${rows.map(
        (row) => html`<li key=${row.key} class="feed-item" data-testid="feed-item">
          <div class="feed-line">
            ${row.event !== null && html`<span class="tag">${row.event}</span>`}
            <span class="feed-path" title=${row.path}>${row.path}</span>
            <time class="feed-time" datetime=${new Date(row.t).toISOString()}>${row.ago}</time>
          </div>
          <div class="feed-meta">${row.source} · ${row.country} · ${row.device} · ${row.browser} · ${row.os}</div>
        </li>`,
      )}
    </ol>
  </section>`;
}
