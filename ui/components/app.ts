import { html } from "htm/preact";
import type { ConnectionState } from "../connection.ts";
import type { ViewState } from "../view-model.ts";
import { ConnectionBadge } from "./connection-badge.ts";
import { InvalidSite } from "./invalid-site.ts";
import { SiteList } from "./site-list.ts";
import { SiteView } from "./site-view.ts";

interface Props {
  view: ViewState;
  connection: ConnectionState;
  /** Client clock at this render. */
  now: number;
  origin: string;
  /** The URL's `site` when it names no site: the page says so instead of connecting. */
  invalidSite?: string;
}

export function App({ view, connection, now, origin, invalidSite }: Props) {
  const stale = connection.status !== "open" && invalidSite === undefined;
  return html`<header class="topbar">
      <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>Pulse</a>
      <nav class="crumbs">
        ${view.site === null
          ? html`<span>Sites</span>`
          : html`<a href="/" data-testid="back-link">All sites</a><span class="crumb-sep">/</span><strong>${view.site}</strong>`}
      </nav>
      <${ConnectionBadge} state=${connection} now=${now} />
    </header>
    <main class=${stale ? "content stale" : "content"}>
      ${invalidSite !== undefined
        ? html`<${InvalidSite} value=${invalidSite} />`
        : view.site === null
        ? html`<${SiteList} sites=${view.sites} more=${view.sitesMore} origin=${origin} />`
        : html`<${SiteView} view=${view} now=${now} origin=${origin} />`}
    </main>`;
}
