import { Histogram } from "./histogram.ts";

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
  };
}

/** The sum of the workers' stats (histograms merged; per-dashboard spreads combined). */
export function sumStats(all: readonly WorkerStats[]): WorkerStats {
  const total = emptyStats();
  const connectMs = new Histogram();
  const ingestMs = new Histogram();
  for (const stats of all) {
    for (const key of ["connected", "connectFailures", "dropped", "stalledConnected", "stalledClosed", "frames", "bytes", "gaps", "sent", "accepted", "networkErrors", "behind", "cpuSeconds"] as const) {
      total[key] += stats[key];
    }
    for (const [status, count] of Object.entries(stats.statuses)) total.statuses[status] = (total.statuses[status] ?? 0) + count;
    connectMs.merge(Histogram.fromJSON(stats.connectMs));
    ingestMs.merge(Histogram.fromJSON(stats.ingestMs));
    if (stats.perDashboard) {
      const [min, median, max] = stats.perDashboard;
      total.perDashboard = total.perDashboard
        ? [Math.min(total.perDashboard[0], min), median, Math.max(total.perDashboard[2], max)]
        : [min, median, max];
    }
  }
  total.connectMs = connectMs.toJSON();
  total.ingestMs = ingestMs.toJSON();
  return total;
}
