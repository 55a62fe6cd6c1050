import { html } from "htm/preact";
import { eventsExportHref, tablesCsv, tablesFileName } from "../export-model.ts";
import type { Filters } from "../filters.ts";
import type { SiteModel } from "../site-model.ts";
import { clockTime } from "../format.ts";
import { minutesText } from "../view-window.ts";

interface Props {
  site: string;
  model: SiteModel;
  /** The moment the view shows (server time): now, or the moment a paused view was rewound to. */
  serverNow: number;
  rewound?: boolean;
  filters: Filters;
}

/** Downloads of what the view shows, under its filters: its tables, made here, and the raw events, streamed by the server. */
export function ExportCard({ site, model, serverNow, rewound = false, filters }: Props) {
  const span = rewound ? `${minutesText(model.window)} to ${clockTime(serverNow, true)}` : `last ${minutesText(model.window)}`;
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
      <a class="button" data-testid="download-events" href=${eventsExportHref(site, filters, model.window, rewound ? serverNow : undefined)} download>Download raw events, ${span} (CSV)</a>
    </div>
  </section>`;
}
