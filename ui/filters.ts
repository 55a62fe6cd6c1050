/**
 * The filters a view is narrowed by, as the page keeps them: in the URL (`?site=shop.example&
 * page=/pricing&country=FR`), so a view can be bookmarked and shared and Back undoes a filter, and
 * as removable chips. Pure: the URL's search string in, the search string and chips out.
 */
import { MAX_FILTER_VALUE_CHARS, type ViewDimension } from "../src/core/wire/view-filters.ts";
import { countryLabel } from "./format.ts";
import { DEFAULT_WINDOW, windowParams, type ViewWindow } from "./view-window.ts";

/** The server's filter dimensions (view-filters.ts), as the page names and orders them in the URL and the chips. */
export const DIMENSIONS = [
  { key: "page", name: "page", title: "Page", list: "top-pages" },
  { key: "source", name: "source", title: "Source", list: "top-sources" },
  { key: "country", name: "country", title: "Country", list: "top-countries" },
  { key: "browser", name: "browser", title: "Browser", list: "top-browsers" },
  { key: "os", name: "OS", title: "OS", list: "top-os" },
  { key: "device", name: "device", title: "Device", list: "top-devices" },
  { key: "event", name: "event", title: "Event", list: "top-events" },
] as const satisfies ReadonlyArray<{ key: ViewDimension; name: string; title: string; list: string }>;

export type Dimension = (typeof DIMENSIONS)[number]["key"];
export type Filters = Partial<Record<Dimension, string>>;

/** The filters in a search string; unknown parameters (site, tv) are not filters, empty values are none. */
export function filtersFromSearch(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const { key } of DIMENSIONS) {
    const value = params.get(key)?.trim();
    if (value && value.length <= MAX_FILTER_VALUE_CHARS) filters[key] = value;
  }
  return filters;
}

/** Query parameters in the canonical order: the same filters always make the same URL. */
export function filterParams(filters: Filters): Array<[Dimension, string]> {
  return DIMENSIONS.flatMap(({ key }) => (filters[key] === undefined ? [] : [[key, filters[key]!] as [Dimension, string]]));
}

/** The page's search string for a site, its window and filters; `tv` keeps a wall screen a wall screen. */
export function searchFor(site: string, filters: Filters, options: { tv?: boolean; window?: ViewWindow } = {}): string {
  const params = new URLSearchParams([["site", site], ...windowParams(options.window ?? DEFAULT_WINDOW), ...filterParams(filters)]);
  const query = params.toString();
  return `?${options.tv ? `tv&${query}` : query}`;
}

export function withFilter(filters: Filters, dimension: Dimension, value: string): Filters {
  return { ...filters, [dimension]: value };
}

export function withoutFilter(filters: Filters, dimension: Dimension): Filters {
  const { [dimension]: _, ...rest } = filters;
  return rest;
}

/** Which dimension a top list's rows filter by (undefined for a list that does not). */
export function dimensionOfList(testid: string): Dimension | undefined {
  return DIMENSIONS.find((dimension) => dimension.list === testid)?.key;
}

export interface FilterChip {
  dimension: Dimension;
  value: string;
  /** What the chip says, e.g. "Country: 🇫🇷 France". */
  text: string;
  /** The remove button's accessible name, e.g. "Remove filter: country FR". */
  removeLabel: string;
}

export function filterChips(filters: Filters): FilterChip[] {
  return filterParams(filters).map(([key, value]) => {
    const dimension = DIMENSIONS.find((candidate) => candidate.key === key)!;
    const shown = key === "country" ? countryLabel(value) : value;
    return { dimension: key, value, text: `${dimension.title}: ${shown}`, removeLabel: `Remove filter: ${dimension.name} ${value}` };
  });
}
