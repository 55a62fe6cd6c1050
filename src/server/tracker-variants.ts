/**
 * The tracker's file names, as Plausible names its script's variants, so that a site moving from
 * Plausible keeps its tag: `/js/script.js`, or `/js/script.<extension>.<extension>….js` with
 * extensions in any order (`script.file-downloads.outbound-links.js`). Pure: build.ts builds one
 * script per set of features, and the server maps each name to one of them (docs/tracker.md, "Script variants").
 */

/** Extensions that change the script, each a build flag of ui/tracker/index.ts. In this order in a build's path. */
export const TRACKER_FEATURES = {
  "outbound-links": "OUTBOUND_LINKS",
  "file-downloads": "FILE_DOWNLOADS",
  local: "TRACK_LOCALHOST",
  manual: "MANUAL_PAGEVIEWS",
} as const;

export type TrackerFeature = keyof typeof TRACKER_FEATURES;

/** Plausible's extensions for what every Pulse script does already: accepted, and they add nothing. */
const BUILT_IN = new Set(["hash", "exclusions", "compat"]);

/** Plausible's extensions for what Pulse does not record: a script that ignored them would lose data unseen. */
const UNSUPPORTED = new Map([
  ["tagged-events", "events from CSS classes (tagged-events)"],
  ["pageview-props", "custom properties on pageviews (pageview-props)"],
  ["revenue", "revenue (revenue)"],
]);

const FEATURE_NAMES = Object.keys(TRACKER_FEATURES) as TrackerFeature[];
const KNOWN = [...FEATURE_NAMES, ...BUILT_IN].join(", ");
const NAME = /^\/js\/script((?:\.[^./]+)*)\.js$/;

/** The asset path of the script with `features`: `/js/script.js` for none. */
export function trackerPath(features: readonly TrackerFeature[]): string {
  return `/js/script${FEATURE_NAMES.filter((name) => features.includes(name)).map((name) => `.${name}`).join("")}.js`;
}

/** Every script build.ts makes: one per set of features. */
export function trackerBuilds(): { path: string; features: TrackerFeature[] }[] {
  const sets = FEATURE_NAMES.reduce<TrackerFeature[][]>((sets, name) => [...sets, ...sets.map((set) => [...set, name])], [[]]);
  return sets.map((features) => ({ path: trackerPath(features), features }));
}

/**
 * For a request path: the asset path of the script it names, or why no script fits. Undefined when
 * the path is not a tracker's name (`/js/other.js`), left to the other routes.
 */
export function trackerVariant(pathname: string): { path: string } | { error: string } | undefined {
  const match = NAME.exec(pathname);
  if (!match) return undefined;
  const features: TrackerFeature[] = [];
  for (const extension of match[1]!.split(".").slice(1)) {
    const unsupported = UNSUPPORTED.get(extension);
    if (FEATURE_NAMES.includes(extension as TrackerFeature)) features.push(extension as TrackerFeature);
    else if (unsupported) return { error: `Pulse's tracker does not record ${unsupported}; ${supported()}` };
    else if (!BUILT_IN.has(extension)) return { error: `"${extension}" is not a tracker script extension; ${supported()}` };
  }
  return { path: trackerPath(features) };
}

const supported = () => `/js/script.js takes any of these, joined by dots in any order: ${KNOWN} (see docs/tracker.md)`;
