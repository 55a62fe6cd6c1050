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
    "| scenario | server | accepted/s | time to 202 p99 | latency p50 / p99 | frames/s | server RSS | per socket | server CPU | errors | generator |",
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
    for (const server of scenario.servers.filter((name) => !name.startsWith("pulse") && name !== "bare" && name !== "floor")) {
      const other = results.get(scenario.name)?.get(server);
      if (!other || "error" in other) {
        lines.push(`| ${scenario.name} | ${server} | baseline failed | | | | |`);
        continue;
      }
      lines.push(comparisonRow(scenario, server, pulse, other));
    }
  }
  lines.push(...nodeRows(scenarios, results), ...widgetRows(scenarios, results), ...floorRows(scenarios, results));
  lines.push("", "Targets:", "");
  for (const target of targets) lines.push(`- ${target.met ? "**met**" : "**missed**"}: ${target.name} (${target.detail})`);
  return lines.join("\n");
}

/** Pulse on Node.js and uWebSockets.js against Pulse on Bun and each baseline, in the scenarios that ran both. */
function nodeRows(scenarios: Scenario[], results: Results): string[] {
  const lines: string[] = [];
  for (const scenario of scenarios.filter((one) => one.servers.includes("pulse-node"))) {
    const node = results.get(scenario.name)?.get("pulse-node");
    if (!node || "error" in node) continue;
    for (const server of scenario.servers.filter((name) => name !== "pulse-node" && name !== "floor")) {
      const other = results.get(scenario.name)?.get(server);
      if (!other || "error" in other) continue;
      lines.push(comparisonRow(scenario, server, node, other));
    }
  }
  if (lines.length === 0) return [];
  return [
    "",
    "Pulse on Node.js and uWebSockets.js (pulse-node) against Pulse on Bun and each baseline (the other's figure to pulse-node's: above 1 means pulse-node does better):",
    "",
    "| scenario | vs | pageviews served | latency p99 | server CPU | server RSS | errors + drops |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...lines,
  ];
}

/** One row of a comparison: `other`'s figure to `subject`'s (pageviews the other way), above 1 when `subject` does better. */
function comparisonRow(scenario: Scenario, server: string, subject: BenchReport, other: BenchReport): string {
  return `| ${scenario.name} | ${server} | ${ratio(subject.pageviews.acceptedPerSecond, other.pageviews.acceptedPerSecond)} | ${ratio(other.latency.p99Ms, subject.latency.p99Ms)} | ${ratio(other.server?.cpuCores, subject.server?.cpuCores)} | ${ratio(other.server?.rssBytes, subject.server?.rssBytes)} | ${problems(other)} vs ${problems(subject)} |`;
}

function row(scenario: Scenario, server: string, r: BenchReport): string {
  const errors = problems(r);
  const generator = r.generator.saturated || r.generator.fellBehind ? "bottleneck" : "kept up";
  const rate = r.roundRates ? `${num(r.pageviews.acceptedPerSecond)} (median of ${r.roundRates.join(", ")})` : num(r.pageviews.acceptedPerSecond);
  return `| ${scenario.name} | ${server} | ${rate} | ${num(r.pageviews.ingest.p99Ms, 1)} ms | ${num(r.latency.p50Ms)} / ${num(r.latency.p99Ms)} ms | ${num(r.frames.perSecond)} | ${mb(r.server?.rssBytes)} MB | ${num(r.server?.rssPerSocketBytes)} B | ${num(r.server?.cpuCores, 2)} | ${errors} | ${generator} |`;
}

function problems(r: Report): number {
  const widgets = r.widgets ? r.widgets.failed + r.widgets.dropped : 0;
  return Object.values(r.pageviews.httpErrors).reduce((a, b) => a + b, 0) + r.pageviews.networkErrors + r.connect.failed + r.dropped + r.frames.gaps + widgets;
}

/** Every report the run made, with its scenario and server, failures left out. */
function reports(scenarios: Scenario[], results: Results): Array<[Scenario, string, BenchReport]> {
  const found: Array<[Scenario, string, BenchReport]> = [];
  for (const scenario of scenarios) {
    for (const server of scenario.servers) {
      const result = results.get(scenario.name)?.get(server);
      if (result && !("error" in result)) found.push([scenario, server, result]);
    }
  }
  return found;
}

function widgetRows(scenarios: Scenario[], results: Results): string[] {
  const rows = reports(scenarios, results).filter(([, , r]) => r.widgets);
  if (rows.length === 0) return [];
  return [
    "",
    "Live widgets (counts checked one interval and a tick after churn stops: each open widget's last count against the widgets the load test holds open on its page):",
    "",
    "| scenario | server | widgets open | failed + dropped | connect p50 / p99 | widget frames/s | frame bytes | counts correct |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map(([scenario, server, r]) => {
      const w = r.widgets!;
      const counts = w.counts ? `${w.counts.correct} of ${w.counts.open}` : "–";
      return `| ${scenario.name} | ${server} | ${w.open} of ${w.requested} | ${w.failed + w.dropped} | ${num(w.connect.p50Ms)} / ${num(w.connect.p99Ms)} ms | ${num(w.frames.perSecond)} | ${num(w.frames.meanBytes, 1)} | ${counts} |`;
    }),
  ];
}

/** Pulse's server CPU per delivered frame over the floor's, in each scenario that ran both. */
export function floorRatio(pulse: Report, floor: Report): number {
  return (pulse.cpuPerFrame?.allUs ?? Number.NaN) / (floor.cpuPerFrame?.allUs ?? Number.NaN);
}

function floorRows(scenarios: Scenario[], results: Results): string[] {
  const rows = reports(scenarios, results).filter(([, server]) => server === "floor");
  if (rows.length === 0) return [];
  return [
    "",
    "Pulse against the floor (server CPU over the load per frame delivered to any socket; target ≤ 1.3×):",
    "",
    "| scenario | Pulse µs/frame | floor µs/frame | ratio | frames in the load (Pulse / floor) | frame bytes |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(([scenario, , floor]) => {
      const pulse = results.get(scenario.name)?.get("pulse") as BenchReport;
      const frames = (r: Report) => (r.cpuPerFrame ? r.cpuPerFrame.frames.dashboards + r.cpuPerFrame.frames.widgets : Number.NaN);
      const bytes = (r: Report) => (r.widgets ? r.widgets.frames.meanBytes : r.frames.meanBytes);
      return `| ${scenario.name} | ${num(pulse.cpuPerFrame?.allUs, 1)} | ${num(floor.cpuPerFrame?.allUs, 1)} | ${num(floorRatio(pulse, floor), 2)}× | ${num(frames(pulse))} / ${num(frames(floor))} | ${num(bytes(pulse))} / ${num(bytes(floor))} |`;
    }),
  ];
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
