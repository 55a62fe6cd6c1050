import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { FeedRow } from "../site-model.ts";
import { sameFields, sameItems } from "../same.ts";
import { pure } from "./pure.ts";

interface Props {
  rows: FeedRow[];
  skipped: number;
  scrolls?: boolean;
}

/**
 * The latest pageviews and events, newest first. A feed that scrolls can be focused, so that
 * the keyboard scrolls it; on a wall screen it shows what fits and takes no focus.
 */
export const LiveFeed = pure<Props>(Feed, (a, b) => a.skipped === b.skipped && a.scrolls === b.scrolls && sameItems(a.rows, b.rows, sameFields));

function Feed({ rows, skipped, scrolls = true }: Props) {
  return html`<section class="card feed-card">
    <header class="card-head">
      <h2 class="card-title">Live feed</h2>
      ${skipped > 0 && html`<span class="muted" title="Busy ticks send a sample of their events">${formatNumber(skipped)} not shown</span>`}
    </header>
    ${rows.length === 0 && html`<p class="empty">Pageviews appear here as they arrive.</p>`}
    <ol class="feed" data-testid="feed" tabindex=${scrolls ? 0 : undefined} aria-label="Live feed, newest first">
      ${rows.map((row) => html`<${FeedItem} key=${row.key} row=${row} />`)}
    </ol>
  </section>`;
}

/** One string, one text node: ten new rows a tick are ten nodes to lay out here, not ninety. */
const feedMeta = (row: FeedRow) => `${row.source} · ${row.country} · ${row.device} · ${row.browser} · ${row.os}`;

/** A row, drawn once and then again only when its age reads differently. */
const FeedItem = pure<{ row: FeedRow }>(
  ({ row }) => html`<li class="feed-item" data-testid="feed-item">
    <div class="feed-line">
      ${row.event !== null && html`<span class="tag">${row.event}</span>`}
      <span class="feed-path" title=${row.path}>${row.path}</span>
      <time class="feed-time" datetime=${new Date(row.t).toISOString()}>${row.ago}</time>
    </div>
    <div class="feed-meta">${feedMeta(row)}</div>
  </li>`,
  (a, b) => sameFields(a.row, b.row),
);
