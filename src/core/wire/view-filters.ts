/**
 * Views: which dimensions a dashboard may narrow a site to and which windows it may count over,
 * how a filter set and a window are checked, and their canonical form, which names the view's
 * topic. docs/protocol.md#filtered-views and #windows describe them.
 */
import { cleanText } from "../ingest/text.ts";
import type { Hit } from "../stats/site-stats.ts";

/**
 * The dimensions a view filters on: the name on the wire (socket URL, `watch` command, frames) and
 * the hit field it compares. One table, so a dimension is added in one line.
 */
export const VIEW_DIMENSIONS = [
  { name: "page", field: "page" },
  { name: "source", field: "source" },
  { name: "country", field: "country" },
  { name: "browser", field: "browser" },
  { name: "os", field: "os" },
  { name: "device", field: "device" },
  { name: "event", field: "name" },
] as const satisfies ReadonlyArray<{ name: string; field: keyof Hit }>;

export type ViewDimension = (typeof VIEW_DIMENSIONS)[number]["name"];

/** Dimension → the exact label it must have (labels as the top lists show them). All given filters must hold. */
export type ViewFilters = Partial<Record<ViewDimension, string>>;

/** Labels are at most 100 characters: a longer value can match nothing. */
export const MAX_FILTER_VALUE_CHARS = 100;
/** One value per dimension. */
export const MAX_VIEW_FILTERS = VIEW_DIMENSIONS.length;

const DIMENSION_NAMES: ReadonlySet<string> = new Set(VIEW_DIMENSIONS.map((dimension) => dimension.name));

/** A filter set in canonical form (dimensions sorted, values normalised) and its key; empty for the unfiltered view. */
export interface CanonicalFilters {
  filters: ViewFilters;
  /** `country=FR&page=%2Fpricing`: equal for equal filter sets, whatever order they came in. */
  key: string;
}

export type FiltersResult = CanonicalFilters | { error: string };

export const NO_FILTERS: CanonicalFilters = Object.freeze({ filters: Object.freeze({}), key: "" });

export function isFilterError<T extends object>(result: T | { error: string }): result is { error: string } {
  return "error" in result;
}

/** The minutes a view's windowed figures span; 30 unless the dashboard chooses another. */
export type ViewWindow = 1 | 5 | 30;
export const VIEW_WINDOWS = [1, 5, 30] as const;
export const DEFAULT_WINDOW = 30;
export const WINDOW_ERROR = "window must be 1, 5 or 30 (minutes)";

/**
 * A view: a site's hits narrowed by filters, counted over a window. Its key names its topic:
 * the filters' key, then `window=W` unless the window is the default, so the whole site over 30
 * minutes keeps its own topic (`site:<site>`) and key "".
 */
export interface CanonicalView extends CanonicalFilters {
  /** Absent for 30: a filter set alone is a view over 30 minutes. */
  window?: ViewWindow;
  /** `country=FR&window=5`; "" for the whole site over 30 minutes. */
  key: string;
}

export type ViewResult = CanonicalView | { error: string };

export const WHOLE_SITE: CanonicalView = NO_FILTERS;

export function viewOf(canonical: CanonicalFilters, window: ViewWindow = DEFAULT_WINDOW): CanonicalView {
  if (window === DEFAULT_WINDOW) return { filters: canonical.filters, key: canonical.key };
  return { filters: canonical.filters, window, key: canonical.key === "" ? `window=${window}` : `${canonical.key}&window=${window}` };
}

/** A view from a socket URL's query: its filters and its `window` parameter (absent for 30). */
export function viewFromQuery(params: URLSearchParams): ViewResult {
  const filters = filtersFromQuery(params);
  if (isFilterError(filters)) return filters;
  const windows = params.getAll("window");
  if (windows.length > 1) return { error: `window is given twice: ${WINDOW_ERROR}` };
  const window = windows.length === 0 ? DEFAULT_WINDOW : VIEW_WINDOWS.find((minutes) => String(minutes) === windows[0]);
  return window === undefined ? { error: WINDOW_ERROR } : viewOf(filters, window);
}

/** A view from a `watch` command's `filters` and `window` (absent for 30). */
export function viewFromCommand(filters: unknown, window: unknown): ViewResult {
  const canonical = filtersFromObject(filters);
  if (isFilterError(canonical)) return canonical;
  const minutes = window === undefined || window === null ? DEFAULT_WINDOW : windowOf(window);
  return minutes === undefined ? { error: WINDOW_ERROR } : viewOf(canonical, minutes);
}

function windowOf(value: unknown): ViewWindow | undefined {
  return VIEW_WINDOWS.find((window) => window === value);
}

/** Filters from a socket URL's query: parameters named after a dimension; others (`site`, the page's own) are not filters. */
export function filtersFromQuery(params: URLSearchParams): FiltersResult {
  const pairs: Array<[string, unknown]> = [];
  for (const [name, value] of params) if (DIMENSION_NAMES.has(name)) pairs.push([name, value]);
  return canonicalFilters(pairs);
}

/** Filters from a `watch` command's `filters` object: every key must be a dimension. */
export function filtersFromObject(value: unknown): FiltersResult {
  if (value === undefined || value === null) return NO_FILTERS;
  if (typeof value !== "object" || Array.isArray(value)) return { error: "filters must be an object of dimension: value" };
  return canonicalFilters(Object.entries(value));
}

function canonicalFilters(pairs: ReadonlyArray<[string, unknown]>): FiltersResult {
  if (pairs.length > MAX_VIEW_FILTERS) return { error: `at most ${MAX_VIEW_FILTERS} filters, one per dimension` };
  const filters: Record<string, string> = {};
  for (const [name, raw] of pairs) {
    if (!DIMENSION_NAMES.has(name)) return { error: `unknown filter "${name.slice(0, 40)}": filters are ${[...DIMENSION_NAMES].join(", ")}` };
    if (name in filters) return { error: `filter ${name} is given twice: one value per dimension` };
    if (typeof raw !== "string") return { error: `filter ${name} must be a string` };
    const value = normalizeValue(name as ViewDimension, raw);
    if (value === "") return { error: `filter ${name} is empty` };
    if (value.length > MAX_FILTER_VALUE_CHARS) return { error: `filter ${name} is over ${MAX_FILTER_VALUE_CHARS} characters` };
    filters[name] = value;
  }
  const sorted = Object.keys(filters).sort();
  const canonical = Object.fromEntries(sorted.map((name) => [name, filters[name]!])) as ViewFilters;
  return { filters: canonical, key: sorted.map((name) => `${name}=${encodeURIComponent(filters[name]!)}`).join("&") };
}

/** Values are compared with labels as stored: cleaned as labels are; country codes are upper case. */
function normalizeValue(name: ViewDimension, raw: string): string {
  const value = cleanText(raw);
  return name === "country" && /^[a-z]{2}$/i.test(value) ? value.toUpperCase() : value;
}

/** The unfiltered view's topic is `site:<site>` (hub.ts); a filtered view's is this. */
export function viewTopic(site: string, key: string): string {
  return `view:${site}?${key}`;
}

/**
 * The test of a view's filters, made once: per hit it compares strings and allocates nothing. The
 * live views and the export (on `hitOf(event)`) both use it, so a download holds what the view counts.
 */
export function matcherOf(filters: ViewFilters): (hit: Hit) => boolean {
  const checks = VIEW_DIMENSIONS.flatMap(({ name, field }) => (filters[name] === undefined ? [] : [{ field, value: filters[name] }]));
  if (checks.length === 1) {
    const { field, value } = checks[0]!;
    return (hit) => hit[field] === value;
  }
  return (hit) => {
    for (const { field, value } of checks) if (hit[field] !== value) return false;
    return true;
  };
}
