import { html } from "htm/preact";
import { formatNumber } from "../format.ts";
import type { TopListModel } from "../site-model.ts";

/** A ranked list with a share bar behind each row; with `onSelect`, each row narrows the view to it. */
export function TopListCard({ list, onSelect }: { list: TopListModel; onSelect?: (value: string) => void }) {
  return html`<section class="card top-list" data-testid=${list.testid}>
    <header class="card-head">
      <h2 class="card-title">${list.title}</h2>
      <span class="muted">${list.unit}</span>
    </header>
    ${list.rows.length === 0
      ? html`<p class="empty">Nothing yet</p>`
      : html`<ol class="rows">
          ${list.rows.map((row) => {
            const content = html`<span class="row-bar" style=${`transform: scaleX(${row.width.toFixed(3)})`}></span>
              <span class="row-label">${row.label}</span>
              <span class="row-count">${formatNumber(row.count)}</span>
              <span class="row-percent">${row.percent}</span>`;
            const title = `${row.label}: ${row.count} (${row.percent})`;
            return onSelect
              ? html`<li key=${row.value} class="row row-selectable">
                  <button type="button" class="row-button" data-value=${row.value} title=${title} aria-label=${`Show only ${list.title}: ${row.label}`} onClick=${() => onSelect(row.value)}>${content}</button>
                </li>`
              : html`<li key=${row.value} class="row" title=${title}>${content}</li>`;
          })}
        </ol>`}
  </section>`;
}
