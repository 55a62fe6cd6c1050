import { Histogram } from "./histogram.ts";
import type { WidgetTally } from "./widgets.ts";

/** What a worker reports, cumulative since it started; the coordinator adds workers up. */
export interface WorkerStats {
  connected: number;
  connectFailures: number;
  connectMs: ReturnType<Histogram["toJSON"]>;
  /** Live dashboards the server closed before the end. */
  dropped: number;
  stalledConnected: number;
  stalledClosed: number;
  frames: number;
  bytes: number;
  /** Pulse only: ticks a dashboard missed (a gap in `seq`). */
  gaps: number;
  sent: number;
  accepted: number;
  statuses: Record<string, number>;
  networkErrors: number;
  /** Pageviews not sent on time because too many were in flight: the generator fell behind. */
  behind: number;
  ingestMs: ReturnType<Histogram["toJSON"]>;
  /** CPU time of this worker, in seconds. */
  cpuSeconds: number;
  /** Frames per dashboard at the end: min, median, max. */
  perDashboard?: [number, number, number];
  /** Live widgets open now (opened, less those closed by churn or by the server). */
  widgetsOpen: number;
  widgetConnectFailures: number;
  /** The first refusal's reason, to tell the user what the server said. */
  widgetFailure?: string;
  /** Widgets the server closed before the end. */
  widgetsDropped: number;
  widgetsChurned: number;
  widgetFrames: number;
  widgetBytes: number;
  widgetConnectMs: ReturnType<Histogram["toJSON"]>;
  /** In the final report only: the last count each open widget received, per page. */
  widgetTally?: WidgetTally;
}

export function emptyStats(): WorkerStats {
  return {
    connected: 0,
    connectFailures: 0,
    connectMs: new Histogram().toJSON(),
    dropped: 0,
    stalledConnected: 0,
    stalledClosed: 0,
    frames: 0,
    bytes: 0,
    gaps: 0,
    sent: 0,
    accepted: 0,
    statuses: {},
    networkErrors: 0,
    behind: 0,
    ingestMs: new Histogram().toJSON(),
    cpuSeconds: 0,
    widgetsOpen: 0,
    widgetConnectFailures: 0,
    widgetsDropped: 0,
    widgetsChurned: 0,
    widgetFrames: 0,
    widgetBytes: 0,
    widgetConnectMs: new Histogram().toJSON(),
  };
}

/** The sum of the workers' stats (histograms merged; per-dashboard spreads combined). */
export function sumStats(all: readonly WorkerStats[]): WorkerStats {
  const total = emptyStats();
  const connectMs = new Histogram();
  const ingestMs = new Histogram();
  const widgetConnectMs = new Histogram();
  for (const stats of all) {
    for (const key of ["connected", "connectFailures", "dropped", "stalledConnected", "stalledClosed", "frames", "bytes", "gaps", "sent", "accepted", "networkErrors", "behind", "cpuSeconds",
      "widgetsOpen", "widgetConnectFailures", "widgetsDropped", "widgetsChurned", "widgetFrames", "widgetBytes"] as const) {
      total[key] += stats[key];
    }
    for (const [status, count] of Object.entries(stats.statuses)) total.statuses[status] = (total.statuses[status] ?? 0) + count;
    connectMs.merge(Histogram.fromJSON(stats.connectMs));
    ingestMs.merge(Histogram.fromJSON(stats.ingestMs));
    widgetConnectMs.merge(Histogram.fromJSON(stats.widgetConnectMs));
    total.widgetFailure ??= stats.widgetFailure;
    if (stats.perDashboard) {
      const [min, median, max] = stats.perDashboard;
      total.perDashboard = total.perDashboard
        ? [Math.min(total.perDashboard[0], min), median, Math.max(total.perDashboard[2], max)]
        : [min, median, max];
    }
  }
  total.connectMs = connectMs.toJSON();
  total.ingestMs = ingestMs.toJSON();
  total.widgetConnectMs = widgetConnectMs.toJSON();
  return total;
}
