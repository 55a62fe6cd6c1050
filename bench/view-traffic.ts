/** Synthetic traffic for the filtered-view benchmarks: skewed like real sites, the same on every run. */
import type { Hit } from "../src/core/stats/site-stats.ts";

const COUNTRIES = ["US", "FR", "DE", "GB", "IN", "BR", "JP", "CA", "ES", "IT", "NL", "PL", "SE", "AU", "MX", "Unknown"];
const BROWSERS = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Opera"];
const OSES = ["Windows", "iOS", "Android", "macOS", "Linux"];
const DEVICES = ["Desktop", "Mobile", "Tablet"];
const SOURCES = ["Direct / None", "Google", "Bing", "Twitter", "Facebook", "Hacker News", "Reddit", "news.example", "blog.example", "DuckDuckGo"];
const PAGES = Array.from({ length: 300 }, (_, i) => (i === 0 ? "/" : `/section-${i % 12}/page-${i}`));

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Skewed towards the first entries, as real labels are. */
const pick = <T>(next: () => number, list: readonly T[]) => list[Math.floor(list.length * next() ** 2.5)]!;

/**
 * `count` hits at `perSecond` from `start`: visitors make about five pageviews each, a tenth of
 * hits are engagement, a twentieth custom events. A visitor keeps their country, browser, OS,
 * device and source.
 */
export function trafficHits(count: number, perSecond: number, start: number, seed = 1): Hit[] {
  return [...trafficStream(count, perSecond, start, seed)];
}

/**
 * The same hits one at a time, so that a long history need not be held. `visitors` (by default as
 * many as make about five hits each) come back over the whole stream.
 */
export function* trafficStream(count: number, perSecond: number, start: number, seed = 1, visitors = Math.max(1, Math.round((count / 5) * 0.9))): Generator<Hit> {
  const next = random(seed);
  for (let i = 0; i < count; i++) {
    const visitor = Math.floor(next() * visitors);
    const own = random(visitor + 1);
    const roll = next();
    yield {
      time: start + Math.floor((i * 1000) / perSecond),
      visitor,
      name: roll < 0.1 ? "engagement" : roll < 0.15 ? `Goal ${Math.floor(next() * 8)}` : "pageview",
      page: pick(next, PAGES),
      source: pick(own, SOURCES),
      country: pick(own, COUNTRIES),
      browser: pick(own, BROWSERS),
      os: pick(own, OSES),
      device: pick(own, DEVICES),
      props: {},
    };
  }
}

/** Sixteen views of the kinds people click: countries, pages, browsers, devices, a source, two combined. */
export const SIXTEEN_VIEWS: ReadonlyArray<Record<string, string>> = [
  { country: "US" },
  { country: "FR" },
  { country: "DE" },
  { country: "GB" },
  { country: "JP" },
  { page: "/" },
  { page: "/section-1/page-1" },
  { page: "/section-2/page-2" },
  { page: "/section-5/page-5" },
  { browser: "Firefox" },
  { browser: "Safari" },
  { device: "Tablet" },
  { source: "Google" },
  { os: "Linux" },
  { country: "FR", device: "Mobile" },
  { country: "US", page: "/" },
];
