/** One component per route: the wine list, a region (hash route) and a wine (pushState route). */
import { html } from "htm/preact";
import { Bottle } from "./bottle.ts";
import { findRegion, REGIONS, WINES, winesOf, type Region, type Wine } from "./catalogue.ts";
import { AddToCart, formatPrice, WINE_LIST_HREF, WineCard } from "./components.ts";
import { homeHref, regionHref, wineHref } from "./route.ts";

export interface CartState {
  /** Bottles in the cart by wine slug. */
  cart: Readonly<Record<string, number>>;
  onAdd: (wine: Wine) => void;
}

function WineGrid({ wines, cart, onAdd }: CartState & { wines: readonly Wine[] }) {
  return html`<div class="wine-grid">
    ${wines.map((wine) => html`<${WineCard} key=${wine.slug} wine=${wine} inCart=${cart[wine.slug] ?? 0} onAdd=${onAdd} />`)}
  </div>`;
}

function OutboundLink({ region }: { region: Region }) {
  return html`<a class="outbound" href=${region.wikipedia} target="_blank" rel="noopener" data-testid="outbound-link">
    Read about ${region.name} wine on Wikipedia<span aria-hidden="true"> ↗</span>
  </a>`;
}

/** What a newcomer can try, and which tracker feature each step exercises. */
function Tour() {
  const bordeaux = REGIONS[0]!;
  const lumiere = WINES[0]!;
  return html`<ol class="tour" data-testid="tour">
    <li><a href=${regionHref(bordeaux)}>Browse a region</a><code>hash route #/regions/…</code></li>
    <li><a href=${wineHref(lumiere)}>Open a wine</a><code>pushState /demo/wines/…</code></li>
    <li><span>Press “Add to cart”</span><code>custom event</code></li>
    <li><a href=${bordeaux.wikipedia} target="_blank" rel="noopener">Read about a region on Wikipedia</a><code>outbound link</code></li>
    <li><a href=${WINE_LIST_HREF} download="wine-list.csv">Download the wine list</a><code>file download</code></li>
  </ol>`;
}

export function HomePage(props: CartState) {
  return html`<section class="hero">
      <div>
        <h1>A small cellar, watched live.</h1>
        <p class="lede">
          Eight bottles from six regions. Every page you open and every button you press here arrives on the Pulse
          dashboard within a fraction of a second. Try it:
        </p>
        <!-- An in-page anchor, not a route: the tracker counts no pageview for it. -->
        <a class="jump" href="#cellar" data-testid="cellar-anchor">See all eight wines ↓</a>
      </div>
      <${Tour} />
    </section>
    <section id="cellar">
      <h2 class="section-title">The cellar</h2>
      <${WineGrid} wines=${WINES} ...${props} />
    </section>`;
}

export function RegionPage({ region, ...props }: CartState & { region: Region }) {
  return html`<nav class="crumbs"><a href=${homeHref()}>All wines</a><span>/</span>${region.name}</nav>
    <section class="region-intro">
      <h1>${region.name} <span class="country">${region.country}</span></h1>
      <p class="lede">${region.blurb}</p>
      <${OutboundLink} region=${region} />
    </section>
    <${WineGrid} wines=${winesOf(region)} ...${props} />`;
}

export function WinePage({ wine, cart, onAdd }: CartState & { wine: Wine }) {
  const region = findRegion(wine.region);
  return html`<nav class="crumbs">
      <a href=${homeHref()}>All wines</a><span>/</span>
      ${region ? html`<a href=${regionHref(region)}>${region.name}</a><span>/</span>` : null}${wine.name}
    </nav>
    <article class="wine-detail">
      <div class=${`wine-detail-art style-${wine.style === "rosé" ? "rose" : wine.style}`}>
        <${Bottle} style=${wine.style} vintage=${wine.vintage} height=${240} />
      </div>
      <div class="wine-detail-text">
        <h1>${wine.name} <span class="vintage">${wine.vintage}</span></h1>
        <dl class="facts">
          <dt>Region</dt><dd>${region ? html`<a href=${regionHref(region)}>${region.name}</a>, ${region.country}` : wine.region}</dd>
          <dt>Grape</dt><dd>${wine.grape}</dd>
          <dt>Vintage</dt><dd>${wine.vintage}</dd>
          <dt>Style</dt><dd class="capitalize">${wine.style}</dd>
        </dl>
        <p class="notes">${wine.notes}</p>
        <div class="buy">
          <span class="price price-large">${formatPrice(wine.price)}</span>
          <${AddToCart} wine=${wine} inCart=${cart[wine.slug] ?? 0} onAdd=${onAdd} />
        </div>
        ${region ? html`<${OutboundLink} region=${region} />` : null}
      </div>
    </article>`;
}

export function NotFoundPage() {
  return html`<section class="not-found">
    <h1>No such bottle</h1>
    <p class="lede">This page is not in our cellar. <a href=${homeHref()}>Back to all wines</a>.</p>
  </section>`;
}
