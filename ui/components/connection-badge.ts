import { html } from "htm/preact";
import type { ConnectionState } from "../connection.ts";
import { describeConnection } from "../status.ts";

export function ConnectionBadge({ state, now }: { state: ConnectionState; now: number }) {
  const { word, detail } = describeConnection(state, now);
  return html`<div class=${`badge badge-${state.status}`} role="status">
    <span class="badge-dot" aria-hidden="true"></span>
    <span data-testid="connection-state">${word}</span>
    ${detail && html`<span class="badge-detail">${detail}</span>`}
  </div>`;
}
