/** Which URL changes are page views, and counting each exactly once. */

/** `#/route` and `#!route` are routes of a hash-routed app; `#section` is an anchor within the page. */
export function isRouteHash(hash: string): boolean {
  return /^#[/!]/.test(hash);
}

/** What identifies a page: the path, plus the hash when it is a route. The query string is not a new page. */
export function trackedPath(location: { pathname: string; hash: string }): string {
  return location.pathname + (isRouteHash(location.hash) ? location.hash : "");
}

/**
 * Remembers the last page counted. One navigation can be reported several times (Chrome fires
 * popstate and hashchange for a fragment change; replaceState often keeps the path): only a
 * change of page counts.
 */
export function lastPage() {
  let last: string | undefined;
  return {
    /** True if `path` differs from the last page, which it then becomes. */
    changed(path: string): boolean {
      const changed = path !== last;
      last = path;
      return changed;
    },
    forget(): void {
      last = undefined;
    },
  };
}

type Listen = (type: string, listener: (event: Event) => void) => void;

/**
 * Calls `onChange` after every way a single-page app changes the URL. The wrapped history
 * methods keep their own behaviour and errors; only `onChange` is ours and it must not throw.
 */
export function watchNavigation(history: History, listen: Listen, onChange: () => void): void {
  for (const method of ["pushState", "replaceState"] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      onChange();
      return result;
    };
  }
  listen("popstate", onChange);
  listen("hashchange", onChange);
}
