import { html } from "htm/preact";
import { curlCommand } from "../format.ts";

/** How to send a first pageview, shown while there is nothing to show. */
export function CurlHint({ origin, domain }: { origin: string; domain: string }) {
  return html`<pre class="curl" data-testid="curl-hint"><code>${curlCommand(origin, domain)}</code></pre>`;
}
