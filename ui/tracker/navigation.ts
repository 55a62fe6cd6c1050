/** Which URL changes are page views, and counting each exactly once. */

/**
 * The route a URL's hash names. Apps routed by hash (`#wines`, `#wines/11`, `#/cart`) make every hash a
 * page, so the route is the hash; but a jump to an in-page anchor is undefined: it stays on the page
 * it was on. `isAnchor` tells, when asked, whether an element on the page bears the name (the hash
 * without its `#`). An empty hash, `#`, names no route (""), nor does any hash when `rule`
 * (`data-hash`) is "off"; "all" makes every hash a route, anchors too. Nor, whatever the rule, does
 * a hash of parameters (`#access_token=…&state=…`, a sign-in's answer): it is no page, and may be a secret.
 */
export const routeOf = (hash: string, rule: string | null | undefined, isAnchor: (name: string) => unknown): string | undefined =>
  !hash[1] || rule == "off" || PARAMETERS.test(hash) ? "" : rule != "all" && isAnchor(hash.slice(1)) ? undefined : hash;

/** A name and `=` before any `/` or `?`: parameters, where a route's own query (`#/search?q=…`) comes after. */
const PARAMETERS = /^#[^/?]*=/;

/** What identifies a page: the path, plus its route. The query string is not a new page. */
export const trackedPath = (pathname: string, route: string | undefined): string => pathname + (route || "");

/**
 * Remembers the last page counted. One navigation can be reported several times (Chrome fires
 * popstate and hashchange for a fragment change; replaceState often keeps the path): only a
 * change of page counts.
 */
export const lastPage = () => {
  let last: string | undefined;
  return {
    /**
     * True if the page differs from the last one, which it then becomes. A jump to an anchor
     * (`route` undefined) on the path last counted stays on the page it was, a route included.
     */
    changed(pathname: string, route: string | undefined): boolean {
      if (route == null && last?.split("#")[0] == pathname) return false;
      // The last page is compared before it is replaced.
      return last !== (last = trackedPath(pathname, route));
    },
    forget(): void {
      last = undefined;
    },
  };
};

type Listen = (type: string, listener: (event: Event) => void) => void;

/**
 * Calls `onChange` after every way a single-page app changes the URL. The wrapped history
 * methods keep their own behaviour and errors; only `onChange` is ours and it must not throw.
 */
export const watchNavigation = (history: History, listen: Listen, onChange: () => void): void => {
  for (const method of ["pushState", "replaceState"] as const) {
    const original = history[method];
    history[method] = function (this: History) {
      // eslint-disable-next-line prefer-rest-params
      const result = original.apply(this, arguments as unknown as Parameters<History["pushState"]>);
      onChange();
      return result;
    };
  }
  listen("popstate", onChange);
  listen("hashchange", onChange);
};
