import { html } from "htm/preact";
import { Component } from "preact";
import type { TopList } from "../../src/core/wire/protocol.ts";
import { WORLD_HEIGHT, WORLD_PATHS, WORLD_WIDTH } from "../generated/world-map.ts";
import { formatNumber } from "../format.ts";
import { mapModel, selectOnKey, type MapModel } from "../map-model.ts";
import { pure } from "./pure.ts";

interface Props {
  /** The site's countries top list. */
  countries: TopList;
  /** A country was clicked, or chosen with Enter or Space; without it (a wall screen) the map is only looked at. */
  onSelect?: (code: string) => void;
  /** The list of countries beside the map (a wall screen has no room for it). */
  withTable?: boolean;
  /** What the counts are, e.g. "visitors, last 5 min". */
  unit?: string;
}

interface State {
  /** The shaded countries under the pointer and with the focus: the map shows the first one's count and outline. */
  hovered: string | null;
  focused: string | null;
  /** The country chosen last (data-selected, for whoever listens for it). */
  selected: string | null;
}

const DRAWN = new Set(WORLD_PATHS.map(([code]) => code));
const PATH_OF = new Map(WORLD_PATHS);
const isDrawn = (code: string) => DRAWN.has(code);

/** Countries shaded by visitors, with a legend in numbers and the list beside the map. */
export class WorldMap extends Component<Props, State> {
  override state: State = { hovered: null, focused: null, selected: null };

  /** Drawn again when the countries section changes (a new list from a frame), not on every render of the page. */
  override shouldComponentUpdate(next: Props, state: State): boolean {
    const { countries, onSelect, withTable, unit } = this.props;
    return (
      next.countries !== countries ||
      next.unit !== unit ||
      (next.onSelect === undefined) !== (onSelect === undefined) ||
      next.withTable !== withTable ||
      state.hovered !== this.state.hovered ||
      state.focused !== this.state.focused ||
      state.selected !== this.state.selected
    );
  }

  private choose = (code: string) => {
    this.setState({ selected: code });
    this.props.onSelect?.(code);
  };

  override render({ countries, onSelect, withTable = true, unit = "visitors, last 30 min" }: Props, { hovered, focused, selected }: State) {
    const model = mapModel(countries, isDrawn);
    const active = hovered ?? focused;
    const shown = active === null ? undefined : model.shaded.get(active);
    return html`<section class="card world-map" data-testid="world-map" data-selected=${selected ?? undefined}>
      <header class="card-head">
        <h2 class="card-title">Visitors by country</h2>
        <span class="muted">${unit}</span>
      </header>
      <div class="map-body">
        <div class="map-figure">
          <svg class="map-svg" viewBox=${`0 0 ${WORLD_WIDTH} ${WORLD_HEIGHT}`} role="group" aria-label=${model.summary}>
            ${WORLD_PATHS.map(([code, d]) => {
              const country = model.shaded.get(code);
              return html`<${CountryShape}
                key=${code}
                code=${code}
                d=${d}
                shade=${country?.shade ?? 0}
                label=${country?.label}
                selectable=${onSelect !== undefined}
                onChoose=${this.choose}
                onHover=${this.hover}
                onUnhover=${this.unhover}
                onFocus=${this.focus}
                onBlur=${this.blur}
              />`;
            })}
            ${shown && html`<path class="map-active" d=${PATH_OF.get(shown.code)} aria-hidden="true" />`}
          </svg>
          <div class="map-foot">
            <${Legend} model=${model} />
            <p class="map-readout" aria-hidden="true" data-testid="map-readout">${shown?.label}</p>
          </div>
        </div>
        ${withTable && html`<${CountryTable} model=${model} />`}
      </div>
    </section>`;
  }

  private hover = (code: string) => this.setState({ hovered: code });
  private unhover = (code: string) => this.setState((state) => (state.hovered === code ? { hovered: null } : null));
  private focus = (code: string) => this.setState({ focused: code });
  private blur = (code: string) => this.setState((state) => (state.focused === code ? { focused: null } : null));
}

interface ShapeProps {
  code: string;
  d: string;
  /** 0: no visitors (or not shaded). */
  shade: number;
  label: string | undefined;
  selectable: boolean;
  onChoose: (code: string) => void;
  onHover: (code: string) => void;
  onUnhover: (code: string) => void;
  onFocus: (code: string) => void;
  onBlur: (code: string) => void;
}

/** A country's shape, drawn again only when its shade or label changed: a tick changes a few of some 180. */
const CountryShape = pure<ShapeProps>(({ code, d, shade, label, selectable, onChoose, onHover, onUnhover, onFocus, onBlur }) => {
  if (label === undefined) return html`<path class="map-country" d=${d} data-country=${code} />`;
  if (!selectable) return html`<path class=${`map-country shade-${shade}`} d=${d} data-country=${code}><title>${label}</title></path>`;
  return html`<path
    class=${`map-country shade-${shade}`}
    d=${d}
    data-country=${code}
    tabindex="0"
    role="button"
    aria-label=${label}
    onClick=${() => onChoose(code)}
    onKeyDown=${(event: KeyboardEvent) => selectOnKey(event, code, onChoose)}
    onFocus=${() => onFocus(code)}
    onBlur=${() => onBlur(code)}
    onMouseEnter=${() => onHover(code)}
    onMouseLeave=${() => onUnhover(code)}
  ><title>${label}</title></path>`;
});

function Legend({ model }: { model: MapModel }) {
  if (model.legend.length === 0) return null;
  return html`<ol class="map-legend" aria-label="Visitors per shade" data-testid="map-legend">
    ${model.legend.map(
      (step) => html`<li key=${step.shade}><span class=${`map-swatch shade-${step.shade}`} aria-hidden="true"></span>${step.label}</li>`,
    )}
  </ol>`;
}

function CountryTable({ model }: { model: MapModel }) {
  if (model.countries.length === 0) return html`<p class="empty map-table">Nothing yet</p>`;
  return html`<table class="map-table" data-testid="map-table">
    <thead>
      <tr><th scope="col">Country</th><th scope="col" class="num">Visitors</th></tr>
    </thead>
    <tbody>
      ${model.countries.map(
        (country) => html`<tr key=${country.code} data-country=${country.code}>
          <th scope="row">
            <span class=${`map-swatch shade-${country.shade}`} aria-hidden="true"></span>${country.name}
            ${!country.onMap && country.shade > 0 && html`<span class="muted" title="Too small to draw at this scale"> (not on the map)</span>`}
          </th>
          <td class="num">${formatNumber(country.count)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
