/**
 * Counters and gauges in Prometheus text format (version 0.0.4). The names are fixed here so that
 * /metrics documents itself; updating one is a property increment on the hot path, nothing more.
 */
import type { IngestDropReason } from "./ingest/ingest.ts";

/**
 * Why an answered event was neither counted nor stored: the ingest pipeline's reasons (declared
 * with it), or the route's own before or around it: over the address's rate, bad input, overloaded.
 */
export type DropReason = IngestDropReason | "rate-limited" | "invalid" | "overloaded";
/**
 * Why an accepted (counted) event was never stored: the database refused it for itself, or storage
 * kept failing until the events waiting for it passed their bound and the oldest were given up.
 */
export type NotStoredReason = "refused" | "backlog";

export class Metrics {
  eventsAccepted = 0;
  /** Presence signals accepted (POST /api/presence), one per site named; never events. */
  presenceSignals = 0;
  /** Tabs present now, all sites together (every process holds the same presence). */
  tabsPresent = 0;
  readonly eventsDropped: Record<DropReason, number> = { bot: 0, "site-not-allowed": 0, "rate-limited": 0, invalid: 0, overloaded: 0 };
  dashboardsConnected = 0;
  /** Views (a filter set or a window other than the whole site's 30 minutes) with live figures, read at each tick. */
  viewsOpen = 0;
  /** Rewind commands answered. */
  rewinds = 0;
  dashboardsRejected = 0;
  /** Open live-widget sockets (GET /live). */
  widgetsConnected = 0;
  /** Live-widget upgrades refused (site, origin, parameters, limits). */
  widgetsRejected = 0;
  framesPublished = 0;
  bytesPublished = 0;
  /** Closed without a close handshake: dropped for not reading (backpressure), or the connection was lost. */
  abnormalCloses = 0;
  ticks = 0;
  tickSecondsTotal = 0;
  lastTickSeconds = 0;
  tickIntervalSeconds = 0;
  storedEvents = 0;
  storageErrors = 0;
  readonly eventsNotStored: Record<NotStoredReason, number> = { refused: 0, backlog: 0 };
  /** Accepted events waiting to be written (more than a tick's worth only while storage fails). */
  storagePending = 0;
  /** Why writes are failing, with since when (empty while they succeed): /healthz answers 503 with it. */
  storageFault = "";
  /** Stored chunks a read found unreadable and skipped (each process counts those it met, once each). */
  damagedChunks = 0;
  /** Accepted and stored, but kept out of the live figures by the site cap (see Hub.siteFor); counted where accepted. */
  eventsNotShown = 0;
  /** With --workers: answered by a worker that could not pass them on (it died, as far as its last report shows, or the primary was not taking them). */
  eventsLost = 0;
  /** With --redis: entries on the exchange skipped as unreadable (malformed, foreign, or an event of the wrong shape). */
  exchangeSkipped = 0;
  /** With --redis: batches of other nodes that never reached this one (trimmed from the stream before it read them). */
  exchangeMissed = 0;

  /** The figures as plain data, to send to another process. */
  snapshot(): MetricsSnapshot {
    const { eventsDropped, eventsNotStored, ...rest } = this;
    return { ...rest, eventsDropped: { ...eventsDropped }, eventsNotStored: { ...eventsNotStored } };
  }

  /**
   * Several processes' figures as one (`--workers`): counts and connections add up; tick
   * durations and the interval are the slowest worker's; tabs present, which every worker holds
   * alike, the largest.
   */
  static combine(snapshots: readonly MetricsSnapshot[]): Metrics {
    const total = new Metrics();
    for (const snapshot of snapshots) {
      for (const key of SUMMED) total[key] += snapshot[key];
      for (const key of SLOWEST) total[key] = Math.max(total[key], snapshot[key]);
      for (const reason of Object.keys(total.eventsDropped) as DropReason[]) total.eventsDropped[reason] += snapshot.eventsDropped[reason] ?? 0;
      for (const reason of Object.keys(total.eventsNotStored) as NotStoredReason[]) total.eventsNotStored[reason] += snapshot.eventsNotStored?.[reason] ?? 0;
      // Only the process that stores (the primary, with --workers) has a fault to tell.
      total.storageFault ||= snapshot.storageFault ?? "";
    }
    return total;
  }

  recordTick(workSeconds: number, intervalSeconds: number): void {
    this.ticks++;
    this.tickSecondsTotal += workSeconds;
    this.lastTickSeconds = workSeconds;
    this.tickIntervalSeconds = intervalSeconds;
  }

  /** `gauges` are read when scraped (sites live, process memory) rather than kept up to date. */
  render(gauges: { sites: number; residentBytes: number; processes?: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: "counter" | "gauge", help: string, samples: Array<[labels: string, value: number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric("pulse_events_accepted_total", "counter", "Events counted (one per site); with --workers, those that reached the primary.", [["", this.eventsAccepted]]);
    metric(
      "pulse_events_dropped_total",
      "counter",
      "Events answered but neither counted nor stored, by reason.",
      Object.entries(this.eventsDropped).map(([reason, value]) => [`{reason="${reason}"}`, value]),
    );
    metric("pulse_events_not_shown_total", "counter", "Events counted and stored but kept out of the live figures because their site had no place under --max-sites (counted once, by the process that accepted them).", [["", this.eventsNotShown]]);
    metric("pulse_events_lost_total", "counter", "Events answered but never passed on: a worker died (at least this many), or the primary (with --workers) or Redis (with --redis) was not taking them for too long.", [["", this.eventsLost]]);
    metric("pulse_exchange_skipped_total", "counter", "Entries on the Redis exchange skipped as unreadable: malformed, foreign, or holding an event of the wrong shape.", [["", this.exchangeSkipped]]);
    metric("pulse_exchange_missed_total", "counter", "Batches of other nodes that never reached this node: trimmed from the Redis stream before it read them.", [["", this.exchangeMissed]]);
    metric("pulse_events_stored_total", "counter", "Events written to storage.", [["", this.storedEvents]]);
    metric("pulse_storage_errors_total", "counter", "Batches storage failed to write.", [["", this.storageErrors]]);
    metric(
      "pulse_events_not_stored_total",
      "counter",
      "Events counted but never stored: refused by the database for themselves, or given up while storage failed (backlog).",
      Object.entries(this.eventsNotStored).map(([reason, value]) => [`{reason="${reason}"}`, value]),
    );
    metric("pulse_presence_signals_total", "counter", "Presence signals accepted (POST /api/presence), one per site named; not events.", [["", this.presenceSignals]]);
    metric("pulse_tabs_present", "gauge", "Tabs with a page of a site open now, all sites together (docs/protocol.md, Presence).", [["", this.tabsPresent]]);
    metric("pulse_storage_failing", "gauge", "1 while writes to storage fail (then /healthz answers 503), else 0.", [["", this.storageFault ? 1 : 0]]);
    metric("pulse_storage_pending_events", "gauge", "Accepted events waiting to be written.", [["", this.storagePending]]);
    metric("pulse_storage_damaged_chunks_total", "counter", "Stored chunks found unreadable and skipped by reads (each process counts those it met).", [["", this.damagedChunks]]);
    metric("pulse_dashboards_connected", "gauge", "Open dashboard sockets.", [["", this.dashboardsConnected]]);
    metric("pulse_dashboards_rejected_total", "counter", "Dashboard upgrades refused (origin, token, limits).", [["", this.dashboardsRejected]]);
    metric("pulse_widgets_connected", "gauge", "Open live-widget sockets.", [["", this.widgetsConnected]]);
    metric("pulse_widgets_rejected_total", "counter", "Live-widget upgrades refused (site, origin, parameters, limits).", [["", this.widgetsRejected]]);
    metric("pulse_frames_published_total", "counter", "Frames published to a topic (each once, whatever the subscribers).", [["", this.framesPublished]]);
    metric("pulse_published_bytes_total", "counter", "Bytes of the frames published (once per frame).", [["", this.bytesPublished]]);
    metric(
      "pulse_dashboards_abnormal_closes_total",
      "counter",
      "Dashboards closed without a close handshake: dropped for not reading (backpressure) or connection lost.",
      [["", this.abnormalCloses]],
    );
    metric("pulse_views_open", "gauge", "Views with live figures of their own: filtered, or over a window other than 30 minutes (each process counts its own).", [["", this.viewsOpen]]);
    metric("pulse_rewinds_total", "counter", "Rewind commands answered (each builds its view as it was from the site's hit log).", [["", this.rewinds]]);
    metric("pulse_ticks_total", "counter", "Ticks run.", [["", this.ticks]]);
    metric("pulse_tick_seconds_total", "counter", "Time spent in ticks.", [["", this.tickSecondsTotal]]);
    metric("pulse_last_tick_seconds", "gauge", "Duration of the last tick's work.", [["", this.lastTickSeconds]]);
    metric("pulse_tick_interval_seconds", "gauge", "Current tick interval: --tick-ms, stretched up to 1 s when fan-out is heavy.", [["", this.tickIntervalSeconds]]);
    metric("pulse_sites", "gauge", "Sites with live data.", [["", gauges.sites]]);
    metric("process_resident_memory_bytes", "gauge", "Resident memory of the server's processes.", [["", gauges.residentBytes]]);
    if (gauges.processes !== undefined) metric("pulse_processes", "gauge", "Processes whose figures these are: the primary and its workers.", [["", gauges.processes]]);
    return `${lines.join("\n")}\n`;
  }
}

type NumericField = Exclude<keyof Metrics, "eventsDropped" | "eventsNotStored" | "storageFault" | "snapshot" | "recordTick" | "render">;

/** Metrics as plain data (what a worker sends its primary). */
export type MetricsSnapshot = { [K in NumericField]: number } & {
  eventsDropped: Record<DropReason, number>;
  eventsNotStored: Record<NotStoredReason, number>;
  storageFault: string;
};

/** Taken as the largest, not added up: the slowest tick, and what every process holds alike. */
const SLOWEST: NumericField[] = ["lastTickSeconds", "tickIntervalSeconds", "tabsPresent"];
const EMPTY = new Metrics();
const SUMMED: NumericField[] = (Object.keys(EMPTY) as Array<keyof Metrics>).filter(
  (key): key is NumericField => typeof EMPTY[key] === "number" && !SLOWEST.includes(key as NumericField),
);
