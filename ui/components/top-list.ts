import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { barPercent, formatNumber } from "../format.ts";
import { presentLabel } from "../presence-model.ts";
import type { ListRow, TopListModel } from "../site-model.ts";
import { sameList, sameRow } from "../same.ts";
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
  const toggle = (value: string) => setOpen((shown) => (shown.includes(value) ? shown.filter((other) => other !== value) : [...shown, value]));
  // The pages list, where the frames carry presence: a column of the tabs open on each page now.
  const hasNow = list.rows.some((row) => row.present !== undefined);
  return html`<section class="card top-list" data-testid=${list.testid}>
    <header class="card-head">
      <h2 class="card-title">${list.title}</h2>
      <span class="muted">${list.unit}</span>
    </header>
    ${list.rows.length === 0
      ? html`<p class="empty">Nothing yet</p>`
      : html`<ol class=${hasNow ? "rows with-now" : "rows"}>
          ${list.rows.map(
            (row, rank) => html`<${TopListRow}
              key=${row.value}
              row=${row}
              listTitle=${list.title}
              unit=${list.unit}
              propsId=${`${list.testid}-props-${rank}`}
              open=${open.includes(row.value)}
              onSelect=${onSelect}
              onToggle=${toggle}
            />`,
          )}
        </ol>`}
  </section>`;
}

interface RowProps {
  row: ListRow;
  listTitle: string;
  unit: string;
  /** The id of the row's properties table. */
  propsId: string;
  open: boolean;
  onSelect?: (value: string) => void;
  onToggle: (value: string) => void;
}

/** A row, drawn again only when what it shows changed: on a tick most rows of a list keep their figures. */
const TopListRow = pure<RowProps>(
  ({ row, listTitle, unit, propsId, open, onSelect, onToggle }) => {
    const content = html`<span class="row-label">${row.label}</span>
      <span class="row-count">${formatNumber(row.count)}</span>
      <span class="row-percent">${row.percent}</span>
      ${row.present !== undefined && html`<span class="row-now" aria-label=${presentLabel(row.present)}>${formatNumber(row.present)}</span>`}`;
    const title = `${row.label}: ${row.count} (${row.percent})`;
    const bar = shareBar(row.width);
    const main = onSelect
      ? html`<button type="button" class="row-button" style=${bar} data-value=${row.value} title=${title} aria-label=${`Show only ${listTitle}: ${row.label}`} onClick=${() => onSelect(row.value)}>${content}</button>`
      : html`<div class="row-static" style=${bar} title=${title}>${content}</div>`;
    if (!row.props) return onSelect ? html`<li class="row row-selectable">${main}</li>` : html`<li class="row" style=${bar} title=${title}>${content}</li>`;
    return html`<li class="row row-selectable row-with-props">
      ${main}
      <${PropsToggle} row=${row} unit=${unit} id=${propsId} open=${open} onToggle=${() => onToggle(row.value)} />
    </li>`;
  },
  (a, b) =>
    sameRow(a.row, b.row) &&
    a.listTitle === b.listTitle &&
    a.unit === b.unit &&
    a.propsId === b.propsId &&
    a.open === b.open &&
    (a.onSelect === undefined) === (b.onSelect === undefined),
);

/**
 * The share bar is the row's background, sized: an element of its own, placed under the text,
 * made the row's every part a layer of its own to paint, seventy rows a tick.
 */
function shareBar(width: number): string {
  return `background-size: ${barPercent(width)}% 100%`;
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
