import { html } from "htm/preact";
import { eventsExportHref, tablesCsv, tablesFileName } from "../export-model.ts";
import type { Filters } from "../filters.ts";
import type { SiteModel } from "../site-model.ts";
import { minutesText } from "../view-window.ts";

/** Downloads of what the view shows, under its filters: its tables, made here, and the raw events, streamed by the server. */
export function ExportCard({ site, model, serverNow, filters }: { site: string; model: SiteModel; serverNow: number; filters: Filters }) {
  const downloadTables = () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([tablesCsv(model, filters)], { type: "text/csv;charset=utf-8" }));
    link.download = tablesFileName(site, serverNow);
    link.click();
    // The download has its own copy once it starts.
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };
  return html`<section class="card export-card" data-testid="export">
    <h2 class="card-title">Download</h2>
    <div class="export-actions">
      <button type="button" class="button" data-testid="download-tables" onClick=${downloadTables}>Download tables (CSV)</button>
      <a class="button" data-testid="download-events" href=${eventsExportHref(site, serverNow, filters, model.window)} download>Download raw events, last ${minutesText(model.window)} (CSV)</a>
    </div>
  </section>`;
}
