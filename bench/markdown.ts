import type { Report } from "../src/loadtest/report.ts";
import type { Scenario } from "./scenarios.ts";
import type { BenchReport, Results, Target } from "./targets.ts";

const MARK_START = "<!-- results: written by bench/run.ts -->";
const MARK_END = "<!-- end of results -->";

export interface RunInfo {
  date: string;
  machine: string;
  commit: string;
  command: string;
}

const num = (value: number | null | undefined, digits = 0) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const mb = (bytes: number | undefined) => (bytes === undefined ? "–" : (bytes / 2 ** 20).toFixed(0));

export function resultsMarkdown(info: RunInfo, scenarios: Scenario[], results: Results, targets: Target[]): string {
  const lines = [
    `Run ${info.date} on ${info.machine}, commit \`${info.commit}\`, with \`${info.command}\`.`,
    "",
    "| scenario | server | accepted/s | time to 202 p99 | latency p50 / p99 | frames/s | server RSS | per dashboard | server CPU | errors | generator |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const scenario of scenarios) {
    for (const server of scenario.servers) {
      const result = results.get(scenario.name)?.get(server);
      if (!result || "error" in result) {
        lines.push(`| ${scenario.name} | ${server} | failed: ${result?.error ?? "not run"} | | | | | | | | |`);
        continue;
      }
      lines.push(row(scenario, server, result));
    }
  }
  lines.push("", "Pulse against each baseline (ratio of the baseline's figure to Pulse's: above 1 means Pulse does better):", "");
  lines.push("| scenario | vs | pageviews served | latency p99 | server CPU | server RSS | errors + drops |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const scenario of scenarios) {
    const pulse = results.get(scenario.name)?.get("pulse");
    if (!pulse || "error" in pulse) continue;
    for (const server of scenario.servers.filter((name) => !name.startsWith("pulse") && name !== "bare")) {
      const other = results.get(scenario.name)?.get(server);
      if (!other || "error" in other) {
        lines.push(`| ${scenario.name} | ${server} | baseline failed | | | | |`);
        continue;
      }
      lines.push(
        `| ${scenario.name} | ${server} | ${ratio(pulse.pageviews.acceptedPerSecond, other.pageviews.acceptedPerSecond)} | ${ratio(other.latency.p99Ms, pulse.latency.p99Ms)} | ${ratio(other.server?.cpuCores, pulse.server?.cpuCores)} | ${ratio(other.server?.rssBytes, pulse.server?.rssBytes)} | ${problems(other)} vs ${problems(pulse)} |`,
      );
    }
  }
  lines.push("", "Targets:", "");
  for (const target of targets) lines.push(`- ${target.met ? "**met**" : "**missed**"}: ${target.name} (${target.detail})`);
  return lines.join("\n");
}

function row(scenario: Scenario, server: string, r: BenchReport): string {
  const errors = problems(r);
  const generator = r.generator.saturated || r.generator.fellBehind ? "bottleneck" : "kept up";
  const rate = r.roundRates ? `${num(r.pageviews.acceptedPerSecond)} (median of ${r.roundRates.join(", ")})` : num(r.pageviews.acceptedPerSecond);
  return `| ${scenario.name} | ${server} | ${rate} | ${num(r.pageviews.ingest.p99Ms, 1)} ms | ${num(r.latency.p50Ms)} / ${num(r.latency.p99Ms)} ms | ${num(r.frames.perSecond)} | ${mb(r.server?.rssBytes)} MB | ${num(r.server?.rssPerDashboardBytes)} B | ${num(r.server?.cpuCores, 2)} | ${errors} | ${generator} |`;
}

function problems(r: Report): number {
  return Object.values(r.pageviews.httpErrors).reduce((a, b) => a + b, 0) + r.pageviews.networkErrors + r.connect.failed + r.dropped + r.frames.gaps;
}

function ratio(baseline: number | undefined, pulse: number | undefined): string {
  if (baseline === undefined || pulse === undefined || !Number.isFinite(baseline) || !Number.isFinite(pulse) || pulse === 0) return "–";
  return `${(baseline / pulse).toFixed(1)}×`;
}

/** Replaces the results section of docs/benchmarks.md, keeping the prose around it. */
export function replaceResults(document: string, results: string): string {
  const start = document.indexOf(MARK_START);
  const end = document.indexOf(MARK_END);
  if (start === -1 || end === -1) return `${document.trimEnd()}\n\n${MARK_START}\n${results}\n${MARK_END}\n`;
  return `${document.slice(0, start + MARK_START.length)}\n${results}\n${document.slice(end)}`;
}
