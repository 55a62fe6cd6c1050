import { html } from "htm/preact";
import type { Freshness } from "../freshness.ts";
import { ConnectionBadge } from "./connection-badge.ts";

/** How fresh the figures are, always in view: the connection, the last event, how often frames come. */
export function FreshnessBar({ freshness }: { freshness: Freshness }) {
  return html`<div class="freshness" data-testid="freshness">
    ${freshness.lastEvent !== null && html`<span class="freshness-item" data-testid="last-event">${freshness.lastEvent}</span>`}
    ${freshness.updates !== null && html`<span class="freshness-item" data-testid="update-interval">${freshness.updates}</span>`}
    <${ConnectionBadge} freshness=${freshness} />
  </div>`;
}

/** Said in words, not only by the dimmed figures: what is on screen stopped following the server. */
export function StaleBanner({ text }: { text: string }) {
  return html`<p class="stale-banner" data-testid="stale-banner"><span class="stale-icon" aria-hidden="true">!</span>${text}</p>`;
}
