/** Repeated, interleaved runs of one scenario: the order of each round, and the run kept. */
import type { Report } from "../src/loadtest/report.ts";
import type { BenchReport } from "./targets.ts";

/** Round r starts r servers further along, so a drift in the machine's speed favours none. */
export function roundOrder<T>(servers: readonly T[], round: number): T[] {
  return servers.map((_, i) => servers[(i + round) % servers.length]!);
}

/** The run with the median accepted rate (the lower middle of an even count), carrying every round's rate when there were several. */
export function medianRun(reports: readonly Report[]): BenchReport {
  if (reports.length === 0) throw new Error("no runs to choose from");
  const sorted = [...reports].sort((a, b) => a.pageviews.acceptedPerSecond - b.pageviews.acceptedPerSecond);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return reports.length > 1 ? { ...middle, roundRates: reports.map((r) => Math.round(r.pageviews.acceptedPerSecond)) } : middle;
}
