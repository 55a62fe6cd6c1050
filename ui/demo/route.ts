/**
 * Which view a URL shows. The demo uses both kinds of client-side routing the tracker knows:
 * wine pages are real paths (`/demo/wines/<slug>`, reached with history.pushState) and regions
 * are route-like hashes (`/demo#/regions/<slug>`). Pure: takes the location's parts.
 */
import { findRegion, findWine, type Region, type Wine } from "./catalogue.ts";

export const DEMO_ROOT = "/demo";

export type Route =
  | { view: "home" }
  | { view: "wine"; wine: Wine }
  | { view: "region"; region: Region }
  | { view: "not-found" };

export function routeFrom(location: { pathname: string; hash: string }): Route {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  if (path === DEMO_ROOT) {
    const region = /^#\/regions\/([\w-]+)\/?$/.exec(location.hash);
    if (region) {
      const found = findRegion(region[1]!);
      return found ? { view: "region", region: found } : { view: "not-found" };
    }
    // Other hashes (`#cellar`) are plain in-page anchors, not routes.
    return { view: "home" };
  }
  const wine = new RegExp(`^${DEMO_ROOT}/wines/([\\w-]+)$`).exec(path);
  const found = wine ? findWine(wine[1]!) : undefined;
  return found ? { view: "wine", wine: found } : { view: "not-found" };
}

export const homeHref = (): string => DEMO_ROOT;
export const wineHref = (wine: Wine): string => `${DEMO_ROOT}/wines/${wine.slug}`;
export const regionHref = (region: Region): string => `${DEMO_ROOT}#/regions/${region.slug}`;

/** Whether a same-origin path belongs to the demo app (and so is routed without a page load). */
export function isDemoPath(pathname: string): boolean {
  return pathname === DEMO_ROOT || pathname.startsWith(`${DEMO_ROOT}/`);
}

export function titleOf(route: Route): string {
  switch (route.view) {
    case "home":
      return "Pulse Cellars";
    case "wine":
      return `${route.wine.name} ${route.wine.vintage} · Pulse Cellars`;
    case "region":
      return `${route.region.name} · Pulse Cellars`;
    case "not-found":
      return "Not found · Pulse Cellars";
  }
}
