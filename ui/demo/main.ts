/**
 * Pulse Cellars, the demo shop: renders the view for the current URL and routes same-origin
 * /demo links itself, so the tracker sees every kind of single-page navigation. Wine pages are
 * pushed with history.pushState; region links only change the hash when the path stays /demo.
 */
import { html } from "htm/preact";
import { render } from "preact";
import { trackAddToCart } from "./analytics.ts";
import type { Wine } from "./catalogue.ts";
import { Footer, Header, TrackingNote } from "./components.ts";
import { HomePage, NotFoundPage, RegionPage, WinePage } from "./pages.ts";
import { isDemoPath, routeFrom, titleOf, type Route } from "./route.ts";

const root = document.getElementById("app");
if (root) start(root);

function start(root: HTMLElement): void {
  const cart: Record<string, number> = {};

  const onAdd = (wine: Wine) => {
    cart[wine.slug] = (cart[wine.slug] ?? 0) + 1;
    trackAddToCart(wine.slug);
    draw();
  };

  const page = (route: Route) => {
    const props = { cart, onAdd };
    switch (route.view) {
      case "home":
        return html`<${HomePage} ...${props} />`;
      case "region":
        return html`<${RegionPage} region=${route.region} ...${props} />`;
      case "wine":
        return html`<${WinePage} wine=${route.wine} ...${props} />`;
      case "not-found":
        return html`<${NotFoundPage} />`;
    }
  };

  function draw(): void {
    const route = routeFrom(location);
    const cartCount = Object.values(cart).reduce((sum, count) => sum + count, 0);
    render(
      html`<${Header} cartCount=${cartCount} />
        <${TrackingNote} />
        <main class="content" data-testid="demo-view" data-view=${route.view}>${page(route)}</main>
        <${Footer} />`,
      root,
    );
    document.title = titleOf(route);
  }

  // Going back from a wine to a region fires both popstate and hashchange: drawing twice is harmless.
  addEventListener("popstate", draw);
  addEventListener("hashchange", draw);
  document.addEventListener("click", (event) => {
    const href = routedHref(event);
    if (href === null) return;
    event.preventDefault();
    if (href !== location.href) history.pushState(null, "", href);
    draw();
    scrollTo(0, 0);
  });

  root.textContent = ""; // the "Loading…" placeholder: render() adds to what is there
  draw();
}

/**
 * The URL a click should be routed to with pushState, or null to let the browser have it:
 * modified clicks (new tab), other origins (outbound links), downloads, links with a target,
 * and hash changes on the same path, which the browser turns into a `hashchange` on its own.
 */
function routedHref(event: MouseEvent): string | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return null;
  }
  const link = event.target instanceof Element ? event.target.closest("a") : null;
  if (!link || link.target || link.hasAttribute("download")) return null;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !isDemoPath(url.pathname)) return null;
  const samePage = url.pathname === location.pathname && url.search === location.search;
  if (samePage && url.hash !== "") return null;
  return url.href;
}
