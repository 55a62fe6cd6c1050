import { html } from "htm/preact";
import { clipLabel } from "../../src/core/ingest/text.ts";

/** What `/?site=` shows when its value names no site: said once, no socket opened. */
export function InvalidSite({ value }: { value: string }) {
  return html`<section class="card hint" role="alert" data-testid="invalid-site">
    <h2>Not a site name</h2>
    <p>
      <strong>${clipLabel(value, 100)}</strong> is not a host name. A site is named by its domain, as in <code>?site=shop.example</code>,
      and may end with a port.
    </p>
    <p><a href="/">All sites</a></p>
  </section>`;
}
