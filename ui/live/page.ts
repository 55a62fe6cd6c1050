/**
 * The page a widget counts: the page the tracker counts (ui/tracker/navigation.ts), so that a tab
 * with both is on one page, whichever of them spoke last. Pure, tested without a DOM.
 */
import { lastPage, routeOf, trackedPath } from "../tracker/navigation.ts";

interface AnchorDocument {
  getElementById(id: string): unknown;
  anchors: { namedItem(name: string): unknown };
}

/** Whether a hash (without its `#`, as the URL encodes it) names an element the browser would scroll to, as the tracker asks. */
export const anchorIn =
  (doc: AnchorDocument) =>
  (name: string): unknown => {
    try {
      name = decodeURIComponent(name);
    } catch {}
    return doc.getElementById(name) || doc.anchors.namedItem(name);
  };

/**
 * Follows the page as counted: given the URL now, the new page when it changed (first the page
 * itself), or false when it is still the one last given, as after a jump to an anchor.
 */
export const pageFollower = (rule: string | null | undefined, isAnchor: (name: string) => unknown) => {
  const last = lastPage();
  return (pathname: string, hash: string): string | false => {
    const route = routeOf(hash, rule, isAnchor);
    return last.changed(pathname, route) && trackedPath(pathname, route);
  };
};
