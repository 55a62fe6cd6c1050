import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { formatNumber } from "../format.ts";
import { presentLabel } from "../presence-model.ts";
import type { ListRow, TopListModel } from "../site-model.ts";
import { sameList } from "../same.ts";
import { pure } from "./pure.ts";

interface Props {
  list: TopListModel;
  onSelect?: (value: string) => void;
}

/**
 * A ranked list with a share bar behind each row; with `onSelect`, each row narrows the view to it.
 * A custom event with properties gets a button of its own beside it that shows them under the row,
 * so the row's own click still filters.
 */
export const TopListCard = pure<Props>(TopList, (a, b) => sameList(a.list, b.list) && (a.onSelect === undefined) === (b.onSelect === undefined));

function TopList({ list, onSelect }: Props) {
  const [open, setOpen] = useState<readonly string[]>([]);
  // The pages list, where the frames carry presence: a column of the tabs open on each page now.
  const hasNow = list.rows.some((row) => row.present !== undefined);
  const toggle = (value: string) => setOpen(open.includes(value) ? open.filter((shown) => shown !== value) : [...open, value]);
  return html`<section class="card top-list" data-testid=${list.testid}>
    <header class="card-head">
      <h2 class="card-title">${list.title}</h2>
      <span class="muted">${list.unit}</span>
      ${hasNow && html`<span class="muted now-head" title="Tabs open on the page now">now</span>`}
    </header>
    ${list.rows.length === 0
      ? html`<p class="empty">Nothing yet</p>`
      : html`<ol class=${hasNow ? "rows with-now" : "rows"}>
          ${list.rows.map((row, rank) => {
            const content = html`<span class="row-label">${row.label}</span>
              <span class="row-count">${formatNumber(row.count)}</span>
              <span class="row-percent">${row.percent}</span>
              ${row.present !== undefined && html`<span class="row-now" aria-label=${presentLabel(row.present)}>${formatNumber(row.present)}</span>`}`;
            const title = `${row.label}: ${row.count} (${row.percent})`;
            const bar = shareBar(row.width);
            const main = onSelect
              ? html`<button type="button" class="row-button" style=${bar} data-value=${row.value} title=${title} aria-label=${`Show only ${list.title}: ${row.label}`} onClick=${() => onSelect(row.value)}>${content}</button>`
              : html`<div class="row-static" style=${bar} title=${title}>${content}</div>`;
            if (!row.props) {
              return onSelect
                ? html`<li key=${row.value} class="row row-selectable">${main}</li>`
                : html`<li key=${row.value} class="row" style=${bar} title=${title}>${content}</li>`;
            }
            return html`<li key=${row.value} class="row row-selectable row-with-props">
              ${main}
              <${PropsToggle} row=${row} unit=${list.unit} id=${`${list.testid}-props-${rank}`} open=${open.includes(row.value)} onToggle=${() => toggle(row.value)} />
            </li>`;
          })}
        </ol>`}
  </section>`;
}

/**
 * The share bar is the row's background, sized: an element of its own, placed under the text,
 * made the row's every part a layer of its own to paint, seventy rows a tick.
 */
function shareBar(width: number): string {
  return `background-size: ${(width * 100).toFixed(1)}% 100%`;
}

/** The button that shows a custom event's properties, and the table it shows. */
function PropsToggle({ row, unit, id, open, onToggle }: { row: ListRow; unit: string; id: string; open: boolean; onToggle: () => void }) {
  return html`<button type="button" class="props-toggle" aria-expanded=${open ? "true" : "false"} aria-controls=${id} aria-label=${`Properties of ${row.label}`} onClick=${onToggle}>
      <span aria-hidden="true">${open ? "▾" : "▸"}</span> props
    </button>
    ${open &&
    html`<table class="props" id=${id}>
      <caption class="sr-only">Properties of ${row.label} (${unit})</caption>
      <thead>
        <tr><th scope="col">Property</th><th scope="col">Value</th><th scope="col">Events</th></tr>
      </thead>
      <tbody>
        ${row.props!.map(
          (prop) => html`<tr key=${`${prop.key}=${prop.value}`}>
            <td class="prop-key">${prop.key}</td>
            <td class="prop-value" title=${prop.value}>${prop.value}</td>
            <td class="prop-count">${formatNumber(prop.count)} <span class="muted">${prop.percent}</span></td>
          </tr>`,
        )}
      </tbody>
    </table>`}`;
}
