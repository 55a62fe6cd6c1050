/**
 * What the world map draws, from a site's countries top list: a shade per country, a legend with
 * numbers (so colour is never the only carrier), an accessible label per country and the list
 * beside the map. Pure; the component passes in which codes its map draws.
 */
import type { TopList } from "../src/core/wire/protocol.ts";
import { countryName, formatNumber, isCountryCode } from "./format.ts";

/** Shades run from 1 (a fifth of the largest count or less) to SHADES (the largest). */
export const SHADES = 5;

export interface MapCountry {
  /** As the list has it: an alpha-2 code, or "Unknown". */
  code: string;
  name: string;
  count: number;
  /** 1..SHADES; 0 for what is not a country or has no visitors. */
  shade: number;
  /** "France: 12 visitors". */
  label: string;
  /** False for what the map does not draw: countries too small at its scale, "Unknown". */
  onMap: boolean;
}

export interface LegendStep {
  shade: number;
  from: number;
  to: number;
  /** "5–8", or "3" when the step holds one count. */
  label: string;
}

export interface MapModel {
  /** Every entry of the list, in its order. */
  countries: MapCountry[];
  /** The countries the map shades, by code. */
  shaded: ReadonlyMap<string, MapCountry>;
  /** The steps that some count can fall in, lightest first; empty without visitors. */
  legend: LegendStep[];
  /** The map's accessible name, e.g. "Visitors by country: 12 countries, most in France (40)". */
  summary: string;
}

export function mapModel(list: TopList, onMap: (code: string) => boolean): MapModel {
  let max = 0;
  let top: [string, number] | null = null;
  let known = 0;
  for (const entry of list) {
    if (!isCountryCode(entry[0]) || entry[1] <= 0) continue;
    known++;
    max = Math.max(max, entry[1]);
    if (top === null || entry[1] > top[1]) top = entry;
  }
  const countries = list.map(([code, count]): MapCountry => {
    const name = countryName(code);
    const country = isCountryCode(code);
    return {
      code,
      name,
      count,
      shade: country ? shadeOf(count, max) : 0,
      label: `${name}: ${visitors(count)}`,
      onMap: country && onMap(code),
    };
  });
  const shaded = new Map(countries.filter((c) => c.onMap && c.shade > 0).map((c) => [c.code, c]));
  const summary =
    top === null
      ? "Visitors by country: none yet"
      : `Visitors by country: ${known} ${known === 1 ? "country" : "countries"}, most in ${countryName(top[0])} (${formatNumber(top[1])})`;
  return { countries, shaded, legend: legend(max), summary };
}

/** The step whose range holds `count`: step s holds the counts above (s-1)/SHADES of max, up to s/SHADES of it. */
export function shadeOf(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(SHADES, Math.max(1, Math.ceil((count * SHADES) / max)));
}

function legend(max: number): LegendStep[] {
  const steps: LegendStep[] = [];
  for (let shade = 1; shade <= SHADES && max > 0; shade++) {
    const from = Math.floor(((shade - 1) * max) / SHADES) + 1;
    const to = Math.floor((shade * max) / SHADES);
    if (from > to) continue; // a small max: no whole count falls in this step
    steps.push({ shade, from, to, label: from === to ? formatNumber(from) : `${formatNumber(from)}–${formatNumber(to)}` });
  }
  return steps;
}

function visitors(count: number): string {
  return `${formatNumber(count)} ${count === 1 ? "visitor" : "visitors"}`;
}

/** Enter and Space choose the focused country, as they press a button; Space would otherwise scroll the page. */
export function selectOnKey(event: { key: string; preventDefault(): void }, code: string, onSelect: (code: string) => void): void {
  if (event.key !== "Enter" && event.key !== " ") return;
  event.preventDefault();
  onSelect(code);
}
