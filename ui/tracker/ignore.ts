/** When the tracker must send nothing. Pure: the page's globals come in as a `Page`, so tests need no DOM. */

/** The parts of `window` the ignore rules look at. */
export interface Page {
  location: { hostname: string; protocol: string };
  navigator: { webdriver?: boolean };
  document: { prerendering?: boolean; visibilityState: string };
  localStorage: { pulse_ignore?: string };
}

/** Development copies of a site: counting them would pollute the real site's figures. */
export const isLocal = (location: { hostname: string; protocol: string }): boolean =>
  /^(localhost|127(\.\d+){3}|\[::1?\])$/.test(location.hostname) || location.protocol == "file:";

export const isPrerendering = (document: Page["document"]): boolean =>
  document.prerendering || document.visibilityState == "prerender";

type Matcher = (path: string) => boolean;
/** The rules of the script's tag: data-allow-localhost, data-exclude, data-include. */
type Rules = { allowLocal: boolean; excluded: Matcher; included: Matcher };

/**
 * Every rule, `data-exclude` and `data-include` included, applies to every event, not only to
 * pageviews. Checked on every event, not once, because a visitor can opt out and a prerendered
 * page can be activated without a reload. Reading storage throws when the browser blocks it (sandboxed frames, strict settings).
 * `path` is the page as it is counted (trackedPath): hash-routed pages are matched by route (`/#/admin/**`).
 */
export const isIgnored = (page: Page, rules: Rules, path: string): boolean => {
  try {
    if (page.localStorage.pulse_ignore == "true") return true;
  } catch {}
  return (
    (!rules.allowLocal && isLocal(page.location)) ||
    page.navigator.webdriver ||
    isPrerendering(page.document) ||
    rules.excluded(path) ||
    !rules.included(path)
  );
};

/**
 * `data-exclude` patterns, comma-separated: `*` matches within one path segment, `**` matches
 * anything, a trailing slash is optional. Everything else is literal
 * (escaped: an identity escape such as `\.` or `\/` is valid in a non-unicode RegExp).
 * An empty pattern (no attribute, or `a,,b`) matches nothing: it stands for a NUL, which no path holds.
 */
export const pathMatcher = (patterns: string): ((path: string) => boolean) => {
  const rule = new RegExp(
    "^(" +
      patterns
        .split(",")
        .map((pattern) => (pattern.trim() || "\0").replace(/\*\*?|\W/g, (m) => (m[1] ? ".*" : m == "*" ? "[^/]*" : "\\" + m)))
        .join("|") +
      ")/?$",
  );
  return (path) => rule.test(path);
};
