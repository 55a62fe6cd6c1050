/** The demo's building blocks: header, tracking note, wine card, cart button, footer. */
import { html } from "htm/preact";
import { Bottle } from "./bottle.ts";
import { findRegion, REGIONS, type Wine } from "./catalogue.ts";
import { homeHref, regionHref, wineHref } from "./route.ts";

export const TRACKED_SITE = "demo.local";
export const DASHBOARD_HREF = `/?site=${TRACKED_SITE}`;
export const WINE_LIST_HREF = "/demo/wine-list.csv";

export function formatPrice(euros: number): string {
  return `€${euros}`;
}

export function Header({ cartCount }: { cartCount: number }) {
  return html`<header class="header">
    <a class="brand" href=${homeHref()}>
      <span class="brand-mark" aria-hidden="true"></span>
      <span>Pulse Cellars</span>
    </a>
    <nav class="nav" aria-label="Regions">
      ${REGIONS.map((region) => html`<a href=${regionHref(region)} data-testid="region-link">${region.name}</a>`)}
    </nav>
    <span class="cart" data-testid="cart-count" title="Bottles in your cart">
      <span class="cart-icon" aria-hidden="true"></span>${cartCount}
    </span>
  </header>`;
}

/** The line that tells a newcomer where the clicks go. */
export function TrackingNote() {
  return html`<p class="tracking-note">
    <span class="live-dot" aria-hidden="true"></span>
    Tracked as <strong>${TRACKED_SITE}</strong> — open the dashboard at
    <a href=${DASHBOARD_HREF} target="_blank" data-testid="dashboard-link">${DASHBOARD_HREF}</a>
  </p>`;
}

interface CartProps {
  wine: Wine;
  inCart: number;
  onAdd: (wine: Wine) => void;
}

export function AddToCart({ wine, inCart, onAdd }: CartProps) {
  return html`<div class="add-to-cart">
    <button type="button" class="button" data-testid="add-to-cart" onClick=${() => onAdd(wine)}>Add to cart</button>
    ${inCart > 0 ? html`<span class="in-cart" title=${`${inCart} in your cart`}>${inCart}</span>` : null}
  </div>`;
}

export function WineCard({ wine, inCart, onAdd }: CartProps) {
  const region = findRegion(wine.region);
  return html`<article class="wine-card">
    <a class="wine-card-link" href=${wineHref(wine)} data-testid="wine-link">
      <div class=${`wine-card-art style-${wine.style === "rosé" ? "rose" : wine.style}`}>
        <${Bottle} style=${wine.style} vintage=${wine.vintage} height=${120} />
      </div>
      <h3 class="wine-name">${wine.name} <span class="vintage">${wine.vintage}</span></h3>
    </a>
    <p class="wine-meta">${region?.name ?? wine.region} · ${wine.grape}</p>
    <div class="wine-card-foot">
      <span class="price">${formatPrice(wine.price)}</span>
      <${AddToCart} wine=${wine} inCart=${inCart} onAdd=${onAdd} />
    </div>
  </article>`;
}

export function Footer() {
  return html`<footer class="footer">
    <a href=${WINE_LIST_HREF} download="wine-list.csv" data-testid="download-link">
      <span class="download-icon" aria-hidden="true"></span>Download the wine list (CSV)
    </a>
    <span>Pulse Cellars is a demo shop: nothing here is for sale.</span>
  </footer>`;
}
