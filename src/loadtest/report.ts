import { Histogram } from "./histogram.ts";
import type { LoadtestConfig } from "./options.ts";
import type { ProcessSample } from "./server-stats.ts";
import type { WidgetCorrectness } from "./widgets.ts";
import type { WorkerStats } from "./worker-stats.ts";

export interface Report {
  target: string;
  protocol: string;
  site: string;
  dashboards: number;
  stalled: number;
  rate: number;
  durationSeconds: number;
  workers: number;
  connect: { ok: number; failed: number; seconds: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Live dashboards closed by the server during the run. */
  dropped: number;
  stalledClosed: number;
  pageviews: {
    sent: number;
    accepted: number;
    acceptedPerSecond: number;
    httpErrors: Record<string, number>;
    networkErrors: number;
    behind: number;
    ingest: { p50Ms: number; p99Ms: number; maxMs: number };
  };
  frames: { received: number; perSecond: number; bytesPerSecond: number; meanBytes: number; perDashboard: [number, number, number] | null; gaps: number };
  widgets: WidgetReport | null;
  /**
   * The server's CPU time over the load divided by the frames delivered in it, in µs: to every
   * socket, and to dashboards or widgets alone when only they received frames (null otherwise).
   */
  cpuPerFrame: { allUs: number; dashboardsUs: number | null; widgetsUs: number | null; frames: { dashboards: number; widgets: number } } | null;
  latency: { samples: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; targetMs: number; met: boolean };
  server: {
    pids: number[];
    rssBytes: number;
    rssBeforeDashboardsBytes: number;
    rssPerDashboardBytes: number;
    /** RSS added by the sockets, dashboards and widgets together, per socket. */
    rssPerSocketBytes: number;
    cpuCores: number;
  } | null;
  generator: { cpuCoresPerWorker: number[]; saturated: boolean; fellBehind: boolean; verdict: string };
}

export interface WidgetReport {
  requested: number;
  pages: number;
  site: string;
  /** Open at the end. */
  open: number;
  failed: number;
  /** The first refusal, as the server put it. */
  failure: string | null;
  /** Closed by the server (or failed) during the run, churn aside. */
  dropped: number;
  churned: number;
  connect: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  frames: { received: number; perSecond: number; meanBytes: number };
  /** Pulse only: after `quietSeconds` without churn, each open widget's last count against the widgets open on its page. */
  counts: (WidgetCorrectness & { quietSeconds: number }) | null;
}

const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null) as number;

export function buildReport(input: {
  config: LoadtestConfig;
  workers: WorkerStats[];
  total: WorkerStats;
  connectSeconds: number;
  loadSeconds: number;
  latency: Histogram;
  serverIdle: ProcessSample | null;
  serverStart: ProcessSample | null;
  serverEnd: ProcessSample | null;
  /** Frames delivered between serverStart and serverEnd. */
  loadFrames: { dashboards: number; widgets: number };
  widgetCounts: WidgetCorrectness | null;
  quietSeconds: number;
}): Report {
  const { config, total, loadSeconds, latency } = input;
  const connect = Histogram.fromJSON(total.connectMs);
  const ingest = Histogram.fromJSON(total.ingestMs);
  const cpuCoresPerWorker = input.workers.map((worker) => round(worker.cpuSeconds / (input.connectSeconds + loadSeconds), 2));
  const saturated = cpuCoresPerWorker.some((cores) => cores > 0.9);
  // Within 2% of the target rate counts as keeping up; `behind` still reports every moment the generator lagged.
  const fellBehind = total.sent < config.rate * loadSeconds * 0.98;
  const targetMs = config.tickMs + 100;
  const { serverStart, serverEnd, serverIdle } = input;
  const server =
    serverStart && serverEnd
      ? {
          pids: serverEnd.pids,
          rssBytes: serverEnd.rssBytes,
          rssBeforeDashboardsBytes: serverIdle?.rssBytes ?? Number.NaN,
          rssPerDashboardBytes:
            serverIdle && total.connected > 0 ? round((serverStart.rssBytes - serverIdle.rssBytes) / total.connected, 0) : Number.NaN,
          rssPerSocketBytes:
            serverIdle && total.connected + total.widgetsOpen > 0 ? round((serverStart.rssBytes - serverIdle.rssBytes) / (total.connected + total.widgetsOpen), 0) : Number.NaN,
          cpuCores: round((serverEnd.cpuSeconds - serverStart.cpuSeconds) / ((serverEnd.at - serverStart.at) / 1000), 2),
        }
      : null;
  const { dashboards: dashboardFrames, widgets: widgetFrames } = input.loadFrames;
  const cpuSeconds = serverStart && serverEnd ? serverEnd.cpuSeconds - serverStart.cpuSeconds : Number.NaN;
  const perFrame = (frames: number) => round((cpuSeconds / frames) * 1e6, 2);
  const cpuPerFrame =
    serverStart && serverEnd && dashboardFrames + widgetFrames > 0
      ? {
          allUs: perFrame(dashboardFrames + widgetFrames),
          dashboardsUs: widgetFrames === 0 ? perFrame(dashboardFrames) : null,
          widgetsUs: dashboardFrames === 0 ? perFrame(widgetFrames) : null,
          frames: { dashboards: dashboardFrames, widgets: widgetFrames },
        }
      : null;
  const widgetConnect = Histogram.fromJSON(total.widgetConnectMs);
  const widgets: WidgetReport | null =
    config.widgets > 0
      ? {
          requested: config.widgets,
          pages: config.pages,
          site: config.widgetSite,
          open: total.widgetsOpen,
          failed: total.widgetConnectFailures,
          failure: total.widgetFailure ?? null,
          dropped: total.widgetsDropped,
          churned: total.widgetsChurned,
          connect: { p50Ms: round(widgetConnect.percentile(50)), p90Ms: round(widgetConnect.percentile(90)), p99Ms: round(widgetConnect.percentile(99)), maxMs: round(widgetConnect.max) },
          frames: { received: total.widgetFrames, perSecond: round(widgetFrames / loadSeconds), meanBytes: round(total.widgetBytes / total.widgetFrames, 1) },
          counts: input.widgetCounts ? { ...input.widgetCounts, quietSeconds: round(input.quietSeconds, 2) } : null,
        }
      : null;
  return {
    target: config.urls.join(", "),
    protocol: config.protocol,
    site: config.site,
    dashboards: config.dashboards,
    stalled: config.stalled,
    rate: config.rate,
    durationSeconds: round(loadSeconds),
    workers: input.workers.length,
    connect: {
      ok: total.connected,
      failed: total.connectFailures,
      seconds: round(input.connectSeconds),
      p50Ms: round(connect.percentile(50)),
      p99Ms: round(connect.percentile(99)),
      maxMs: round(connect.max),
    },
    dropped: total.dropped,
    stalledClosed: total.stalledClosed,
    pageviews: {
      sent: total.sent,
      accepted: total.accepted,
      acceptedPerSecond: round(total.accepted / loadSeconds),
      httpErrors: total.statuses,
      networkErrors: total.networkErrors,
      behind: total.behind,
      ingest: { p50Ms: round(ingest.percentile(50)), p99Ms: round(ingest.percentile(99)), maxMs: round(ingest.max) },
    },
    frames: {
      received: total.frames,
      perSecond: round(total.frames / loadSeconds),
      bytesPerSecond: round(total.bytes / loadSeconds, 0),
      meanBytes: round(total.bytes / total.frames, 0),
      perDashboard: total.perDashboard ?? null,
      gaps: total.gaps,
    },
    latency: {
      samples: latency.count,
      p50Ms: round(latency.percentile(50)),
      p90Ms: round(latency.percentile(90)),
      p99Ms: round(latency.percentile(99)),
      maxMs: round(latency.max),
      targetMs,
      met: latency.count > 0 && latency.percentile(99) <= targetMs,
    },
    widgets,
    cpuPerFrame,
    server,
    generator: {
      cpuCoresPerWorker,
      saturated,
      fellBehind,
      verdict:
        saturated || fellBehind
          ? `the load generator was a bottleneck (${[saturated && "a worker's CPU was pegged", fellBehind && "it fell behind the target rate"].filter(Boolean).join("; ")}): the server may do better than these figures`
          : "the load generator kept up: these figures are the server's",
    },
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export function formatReport(report: Report): string {
  const { connect, pageviews, frames, latency, server, generator } = report;
  const errors = Object.entries(pageviews.httpErrors).map(([status, count]) => `${status}×${count}`).join(" ") || "none";
  // A run of widgets alone has no dashboard lines to show.
  const withDashboards = report.dashboards + report.stalled > 0 || !report.widgets;
  return [
    `pulse loadtest: ${report.dashboards} dashboards${report.stalled ? ` + ${report.stalled} stalled` : ""}${report.widgets ? ` + ${report.widgets.requested} widgets` : ""} @ ${report.rate} pageviews/s for ${report.durationSeconds} s against ${report.target} (${report.protocol}, ${report.workers} workers)`,
    ...(withDashboards
      ? [
          `  connect     ${connect.ok} ok, ${connect.failed} failed in ${connect.seconds} s (p50 ${connect.p50Ms} ms, p99 ${connect.p99Ms} ms)`,
          `  dashboards  ${report.dropped} dropped during the run${report.stalled ? `; ${report.stalledClosed} of ${report.stalled} stalled closed by the server` : ""}`,
        ]
      : []),
    `  pageviews   ${pageviews.accepted} accepted of ${pageviews.sent} sent (${pageviews.acceptedPerSecond}/s); HTTP errors ${errors}; network errors ${pageviews.networkErrors}; time to 202 p50 ${pageviews.ingest.p50Ms} ms, p99 ${pageviews.ingest.p99Ms} ms`,
    ...(withDashboards
      ? [
          `  frames      ${frames.received} received (${frames.perSecond}/s, ${mb(frames.bytesPerSecond)}/s)${frames.perDashboard ? `; per dashboard min ${frames.perDashboard[0]}, median ${frames.perDashboard[1]}, max ${frames.perDashboard[2]}` : ""}${report.protocol === "pulse" ? `; missed ticks ${frames.gaps}` : ""}`,
          `  latency     pageview → dashboard p50 ${latency.p50Ms} ms, p90 ${latency.p90Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms (${latency.samples} samples; target p99 ≤ ${latency.targetMs} ms: ${latency.met ? "met" : "missed"})`,
        ]
      : []),
    ...(report.widgets ? formatWidgets(report.widgets) : []),
    server
      ? `  server      ${server.pids.length === 1 ? "pid" : `${server.pids.length} processes, pids`} ${server.pids.join(", ")}: RSS ${mb(server.rssBytes)} (${mb(server.rssBeforeDashboardsBytes)} before sockets, ${report.widgets ? `${server.rssPerSocketBytes} B per socket` : `${server.rssPerDashboardBytes} B per dashboard`}), CPU ${server.cpuCores} cores`
      : "  server      not local: no RSS or CPU",
    ...(report.cpuPerFrame ? [`  per frame   server CPU ${formatPerFrame(report.cpuPerFrame)}`] : []),
    `  generator   CPU per worker ${generator.cpuCoresPerWorker.join(", ")} cores; ${generator.verdict}`,
  ].join("\n");
}

function formatWidgets(widgets: WidgetReport): string[] {
  const { connect, frames, counts } = widgets;
  return [
    `  widgets     ${widgets.open} open of ${widgets.requested} on ${widgets.pages} pages of ${widgets.site}; ${widgets.failed} failed${widgets.failure ? ` (first: ${widgets.failure})` : ""}, ${widgets.dropped} dropped, ${widgets.churned} closed and reopened by churn; connect p50 ${connect.p50Ms} ms, p90 ${connect.p90Ms} ms, p99 ${connect.p99Ms} ms, max ${connect.maxMs} ms`,
    `  frames      ${frames.received} received by widgets (${frames.perSecond}/s during the load, ${frames.meanBytes} B each)`,
    counts
      ? `  counts correct: ${counts.correct} of ${counts.open} (after ${counts.quietSeconds} s without churn)${counts.wrong.map((page) => `; ${page.page} expected ${page.expected}, saw ${JSON.stringify(page.seen)}`).join("")}`
      : "  counts      not checked (not a Pulse server)",
  ];
}

function formatPerFrame(perFrame: NonNullable<Report["cpuPerFrame"]>): string {
  const parts = [`${perFrame.allUs} µs per delivered frame (${perFrame.frames.dashboards} to dashboards, ${perFrame.frames.widgets} to widgets)`];
  if (perFrame.frames.dashboards > 0 && perFrame.frames.widgets > 0) parts.push("dashboards' and widgets' share cannot be told apart in one run");
  return parts.join("; ");
}
