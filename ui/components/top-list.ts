import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { TopListModel } from "../site-model.ts";

/** A ranked list with a share bar behind each row. */
export function TopListCard({ list }: { list: TopListModel }) {
  return html`<section class="card top-list" data-testid=${list.testid}>
    <header class="card-head">
      <h2 class="card-title">${list.title}</h2>
      <span class="muted">${list.unit}</span>
    </header>
    ${list.rows.length === 0
      ? html`<p class="empty">Nothing yet</p>`
      : html`<ol class="rows">
          ${list.rows.map(
            (row) => html`<li key=${row.label} class="row" title=${`${row.label}: ${row.count} (${row.percent})`}>
              <span class="row-bar" style=${`width: ${(row.width * 100).toFixed(1)}%`}></span>
              <span class="row-label">${row.label}</span>
              <span class="row-count">${formatNumber(row.count)}</span>
              <span class="row-percent">${row.percent}</span>
            </li>`,
          )}
        </ol>`}
  </section>`;
}
