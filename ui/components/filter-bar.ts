import { html } from "htm/preact";
import { filterChips, type Dimension, type Filters } from "../filters.ts";

/** The filters narrowing the view, each a chip with its own remove button; nothing while there are none. */
export function FilterBar({ filters, onRemove }: { filters: Filters; onRemove: (dimension: Dimension) => void }) {
  const chips = filterChips(filters);
  if (chips.length === 0) return null;
  return html`<section class="filter-bar" data-testid="filters" aria-label="Filters">
    <span class="muted">Showing only</span>
    <ul class="chips">
      ${chips.map(
        (chip) => html`<li key=${chip.dimension} class="chip" data-testid="filter-chip" data-dimension=${chip.dimension}>
          <span>${chip.text}</span>
          <button type="button" class="chip-remove" aria-label=${chip.removeLabel} title=${chip.removeLabel} onClick=${() => onRemove(chip.dimension)}>×</button>
        </li>`,
      )}
    </ul>
  </section>`;
}
