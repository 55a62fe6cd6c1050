/**
 * The figures of `--workers` as one server, kept by the primary. Events accepted are counted as
 * their batches reach the primary, not from the workers' reports: a report is up to a second
 * old, and a worker killed outright would take its last second with it. Everything else comes
 * from each worker's latest report (what it answered, dropped, published), plus the primary's
 * own storage figures, plus the last reports of workers that have died, so totals never go back.
 */
import { Metrics, type MetricsSnapshot } from "../core/metrics.ts";
import type { WireFigures } from "./messages.ts";

interface Report {
  snapshot: MetricsSnapshot;
  residentBytes: number;
}

export class ClusterTally {
  private readonly latest = new Map<number, Report>();
  /** Events that reached the primary from each worker since it (re)started. */
  private readonly arrived = new Map<number, number>();
  private retired = new Metrics().snapshot();

  /** `own` is the primary's: storage, and the events accepted as they arrive. */
  constructor(private readonly own: Metrics) {}

  /** A worker (re)started: it counts from zero. */
  started(worker: number): void {
    this.latest.delete(worker);
    this.arrived.set(worker, 0);
  }

  /** A batch of `events` from `worker` reached the primary. */
  batch(worker: number, events: number): void {
    this.own.eventsAccepted += events;
    this.arrived.set(worker, (this.arrived.get(worker) ?? 0) + events);
  }

  report(worker: number, report: Report): void {
    this.latest.set(worker, report);
  }

  /**
   * `worker` is gone: its counts stay in the totals. Returns how many events it answered that
   * never reached the primary, as far as its last report shows (it may have lost a few more
   * since that report, which no one can know).
   */
  retire(worker: number): number {
    const last = this.latest.get(worker);
    this.latest.delete(worker);
    if (!last) return 0;
    const lost = Math.max(0, last.snapshot.eventsAccepted - (this.arrived.get(worker) ?? 0));
    const gone = { ...last.snapshot, eventsAccepted: 0, eventsLost: last.snapshot.eventsLost + lost, dashboardsConnected: 0, widgetsConnected: 0, tabsPresent: 0, lastTickSeconds: 0, tickIntervalSeconds: 0 };
    this.retired = Metrics.combine([this.retired, gone]).snapshot();
    return lost;
  }

  /** Every process's figures as one, for /metrics at any worker. */
  totals(): WireFigures {
    const reports = [...this.latest.values()];
    // A worker's own count of what it accepted is in `own`, counted on arrival.
    const workers = reports.map(({ snapshot }) => ({ ...snapshot, eventsAccepted: 0 }));
    return {
      snapshot: Metrics.combine([this.own.snapshot(), this.retired, ...workers]).snapshot(),
      residentBytes: process.memoryUsage.rss() + reports.reduce((sum, { residentBytes }) => sum + residentBytes, 0),
      processes: 1 + reports.length,
    };
  }
}
