/**
 * Everything the site view draws, shaped from the view state at one instant. Pure, so the
 * components only lay it out.
 */
import type { PageList, Series, Stats, TopList } from "../src/core/wire/protocol.ts";
import { countryLabel, feedAge, formatNumber, formatPercent, toShares, type Share } from "./format.ts";
import { niceMax, seriesToBars, sum, type Bar } from "./series.ts";
import type { ViewState } from "./view-model.ts";
import { presentNow, withPresentRows } from "./presence-model.ts";
import { chartMinutes, windowLabels, type ViewWindow, type WindowLabels, type WindowStats } from "./view-window.ts";

export interface ChartBar extends Bar {
  /** Percent of the axis. */
  height: number;
  /**
   * The bar's place on an axis that stays put while the chart slides: bucket number counted from
   * a base that moves once every `length` buckets. A bar keeps its place as the window slides, so
   * a slide moves the chart's view by one bar instead of changing every bar.
   */
  slot: number;
}

export interface ChartModel {
  bars: ChartBar[];
  /** Top of the y axis. */
  max: number;
  /** The y axis's middle label, when it is a whole number. */
  half: number | null;
  total: number;
}

export interface TopListModel {
  testid: string;
  title: string;
  /** What the counts are, e.g. "visitors now". */
  unit: string;
  rows: ListRow[];
}

export interface ListRow extends Share {
  /** A custom event's most counted properties (absent for other lists and for events without any). */
  props?: PropRow[];
  /** Pages only, where the frames say: the tabs open on the page now. */
  present?: number;
}

/** One property value of a custom event: `plan` = `pro`, seen in 3 of its events (60%). */
export interface PropRow {
  key: string;
  value: string;
  count: number;
  percent: string;
}

/** The lists shown only when they have rows: most sites have no campaigns, links or downloads in a given window. */
const SOMETIMES_LISTS = [
  { testid: "top-utm-sources", title: "UTM sources", counts: "visits", section: "utmSources" },
  { testid: "top-utm-mediums", title: "UTM mediums", counts: "visits", section: "utmMediums" },
  { testid: "top-utm-campaigns", title: "UTM campaigns", counts: "visits", section: "utmCampaigns" },
  { testid: "top-outbound-links", title: "Outbound links", counts: "clicks", section: "outboundLinks" },
  { testid: "top-downloads", title: "File downloads", counts: "downloads", section: "downloads" },
] as const;

export interface FeedRow {
  key: number;
  path: string;
  /** Custom event name; null for a pageview. */
  event: string | null;
  source: string;
  device: string;
  browser: string;
  os: string;
  /** Flag and name, e.g. "🇫🇷 France". */
  country: string;
  ago: string;
  t: number;
}

export interface SiteModel {
  /** The window the figures count, and the words that say so beside each. */
  window: ViewWindow;
  labels: WindowLabels;
  /** Visitors of the last min(5, window) minutes. */
  currentVisitors: number;
  /** Tabs open on the site (or the view's page) now; null where the frames do not say (see presentNow). */
  presentNow: number | null;
  /** Visitors and pageviews of the whole window (named after the default 30 minutes, as the wire's fields are). */
  visitors30m: number;
  /** Counts are lower bounds (the server stopped tracking visitors one by one). */
  capped: boolean;
  pageviews30m: number;
  perMinute: ChartModel;
  perSecond: ChartModel;
  lists: TopListModel[];
  feed: FeedRow[];
}

/**
 * `now` is the client's clock; the model reads the server's, or the moment a rewound view shows:
 * its charts end and its feed's ages count from then. The lists and the tabs open now are drawn
 * from `lists`, a moment of the same view at most a second old (ui/list-pace.ts).
 */
export function siteModel(view: ViewState, now: number, lists: Stats = view.stats): SiteModel {
  const serverNow = view.shownAt ?? now + view.clockOffset;
  const { stats, window } = view;
  const labels = windowLabels(window);
  const current = stats.visitors.last5m;
  const recent = stats.visitors.last30m;
  const listedCurrent = lists.visitors.last5m;
  const listedRecent = lists.visitors.last30m;
  const perMinute = chartModel(stats.perMinute, serverNow, chartMinutes(window));
  const unit = (counts: string) => `${counts}, ${labels.window}`;
  const list = (testid: string, title: string, unit: string, top: TopList | PageList, total?: number, labelOf?: (value: string) => string): TopListModel => ({
    testid,
    title,
    unit,
    rows: toShares(top, total).map((row) => (labelOf ? { ...row, label: labelOf(row.value) } : row)),
  });
  return {
    window,
    labels,
    currentVisitors: current,
    presentNow: presentNow(lists),
    visitors30m: recent,
    capped: stats.visitors.capped,
    pageviews30m: windowPageviews(stats, serverNow, window),
    perMinute,
    perSecond: chartModel(stats.perSecond, serverNow, 60),
    lists: [
      withPresentList(list("top-pages", "Pages", "visitors now", lists.pages, listedCurrent), lists),
      list("top-sources", "Sources", unit("visitors"), lists.sources, listedRecent),
      list("top-browsers", "Browsers", unit("visitors"), lists.browsers, listedRecent),
      list("top-os", "Operating systems", unit("visitors"), lists.os, listedRecent),
      list("top-devices", "Devices", unit("visitors"), lists.devices, listedRecent),
      list("top-countries", "Countries", unit("visitors"), lists.countries, listedRecent, countryLabel),
      { ...list("top-events", "Custom events", unit("events"), lists.events), rows: eventRows(lists.events, lists.eventProps) },
      ...SOMETIMES_LISTS.map(({ testid, title, counts, section }) => list(testid, title, unit(counts), lists[section] ?? [])).filter((shown) => shown.rows.length > 0),
    ],
    feed: view.feed.map(({ key, item }) => ({
      key,
      path: item.p,
      event: item.n === "pageview" ? null : item.n,
      source: item.s,
      device: item.d,
      browser: item.b,
      os: item.o,
      country: countryLabel(item.c),
      ago: feedAge(item.t, serverNow),
      t: item.t,
    })),
  };
}

/**
 * The window's pageviews as the server counts them; a server that does not send them counts a
 * 30-minute window, which the per-minute series covers.
 */
function withPresentList(list: TopListModel, stats: Stats): TopListModel {
  return { ...list, rows: withPresentRows(list.rows, stats) };
}

function windowPageviews(stats: WindowStats, serverNow: number, window: ViewWindow): number {
  return stats.pageviews ?? sum(seriesToBars(stats.perMinute, serverNow, window).map((bar) => bar.count));
}

/** The custom events, each with its properties when the server sent some. */
function eventRows(events: TopList, eventProps: Record<string, TopList> | undefined): ListRow[] {
  return toShares(events).map((row) => {
    const props = eventProps?.[row.value];
    return props && props.length > 0 ? { ...row, props: props.map(([label, count]) => propRow(label, count, row.count)) } : row;
  });
}

/** `plan=pro` seen 3 times in 5 events; the key ends at the first `=`. */
function propRow(label: string, count: number, events: number): PropRow {
  const end = label.indexOf("=");
  const [key, value] = end === -1 ? [label, ""] : [label.slice(0, end), label.slice(end + 1)];
  return { key, value, count, percent: formatPercent(events > 0 ? Math.min(1, count / events) : 0) };
}

export function chartModel(series: Series, now: number, length: number): ChartModel {
  const bars = seriesToBars(series, now, length);
  const counts = bars.map((bar) => bar.count);
  const max = niceMax(counts);
  const bucket = (t: number) => (series.step > 0 ? Math.round(t / series.step) : 0);
  const first = bars.length > 0 ? bucket(bars[0]!.t) : 0;
  const base = first - (first % Math.max(1, bars.length));
  return {
    // Heights in percent of the axis; a non-zero count always shows at least a sliver.
    bars: bars.map((bar, i) => ({
      ...bar,
      height: bar.count > 0 ? Math.max(2, (bar.count / max) * 100) : 0,
      slot: series.step > 0 ? bucket(bar.t) - base : i,
    })),
    max,
    half: max >= 2 && Number.isInteger(max / 2) ? max / 2 : null,
    total: sum(counts),
  };
}

export function pageTitle(view: ViewState): string {
  if (view.site === null) return "Pulse";
  if (!view.loaded) return `${view.site} · Pulse`;
  return `${formatNumber(view.stats.visitors.last5m)} now · ${view.site} · Pulse`;
}
