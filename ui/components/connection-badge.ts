import { html } from "htm/preact";
import type { Freshness } from "../freshness.ts";

/** The connection in words (the dot only repeats them): live, reconnecting in 3s, paused. */
export function ConnectionBadge({ freshness }: { freshness: Freshness }) {
  const { state, word, detail } = freshness;
  return html`<div class=${`badge badge-${state}`} role="status">
    <span class="badge-dot" aria-hidden="true"></span>
    <span data-testid="connection-state">${word}</span>
    ${detail ? html`<span class="badge-detail">${detail}</span>` : null}
  </div>`;
}
