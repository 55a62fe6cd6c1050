/** Repeated, interleaved runs of one scenario: the order of each round, and the run kept. */
import type { Report } from "../src/loadtest/report.ts";
import type { BenchReport } from "./targets.ts";

/** Round r starts r servers further along, so a drift in the machine's speed favours none. */
export function roundOrder<T>(servers: readonly T[], round: number): T[] {
  return servers.map((_, i) => servers[(i + round) % servers.length]!);
}

/** What rounds are compared by: the accepted rate, or (where nothing is ingested) the server's CPU per delivered frame. */
export const byRate = (report: Report) => report.pageviews.acceptedPerSecond;
export const byCpuPerFrame = (report: Report) => report.cpuPerFrame?.allUs ?? Infinity;

/** The run with the median of `key` (the lower middle of an even count), carrying every round's rate when there were several. */
export function medianRun(reports: readonly Report[], key: (report: Report) => number = byRate): BenchReport {
  if (reports.length === 0) throw new Error("no runs to choose from");
  const sorted = [...reports].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return reports.length > 1 ? { ...middle, roundRates: reports.map((r) => Math.round(r.pageviews.acceptedPerSecond)) } : middle;
}
