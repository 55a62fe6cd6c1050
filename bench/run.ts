/**
 * The benchmark: for each scenario, starts Pulse and the baselines one at a time, drives each with
 * `pulse loadtest`, prints every figure and each target as met or missed, and writes the results
 * into docs/benchmarks.md. `--smoke` runs the same shapes tiny and short (CI); `--no-write` prints only;
 * `--only=15k@5000,ingest` picks scenarios and `--servers=pulse` picks servers, e.g. to compare two builds;
 * `--reports=FILE` keeps every report as JSON.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Report } from "../src/loadtest/report.ts";
import { resultsMarkdown, replaceResults } from "./markdown.ts";
import { byCpuPerFrame, byRate, medianRun, roundOrder } from "./rounds.ts";
import { SCENARIOS, smoke, type Scenario } from "./scenarios.ts";
import { pulseCommand, ROOT, startBenchServer, TICK_MS, TOKEN, WIDGET_SITE, WORKERS, type ServerName } from "./servers.ts";
import { evaluateTargets, type BenchReport, type Results } from "./targets.ts";

const args = process.argv.slice(2);
const isSmoke = args.includes("--smoke");
const only = args.find((arg) => arg.startsWith("--only="))?.slice(7).split(",");
/** `--servers=pulse,bare` runs only those of each scenario's servers (a quick comparison of two builds). */
/** `--reports=FILE` keeps every run's full report (JSON) there, for figures the tables leave out. */
const reportsFile = args.find((arg) => arg.startsWith("--reports="))?.slice(10);
const onlyServers = args.find((arg) => arg.startsWith("--servers="))?.slice(10).split(",");
const scenarios = (isSmoke ? smoke(SCENARIOS) : SCENARIOS)
  .filter((scenario) => !only || only.includes(scenario.name))
  .map((scenario) => (onlyServers ? { ...scenario, servers: scenario.servers.filter((server) => onlyServers.includes(server)) } : scenario));
const protocols: Record<ServerName, string> = { pulse: "pulse", "pulse-w2": "pulse", "pulse-w6": "pulse", "pulse-w8": "pulse", "pulse-node": "pulse", naive: "naive", socketio: "socketio", bare: "naive", floor: "floor" };

/** `pulse` is the report of Pulse in the same scenario, run before: the floor writes frames of its sizes. */
async function runOne(scenario: Scenario, name: ServerName, pulse: Report | undefined): Promise<Report> {
  const tickMs = scenario.tickMs ?? TICK_MS;
  const liveInterval = scenario.liveInterval ?? 5;
  const server = await startBenchServer(name, { tickMs, liveInterval, frameBytes: pulse?.frames.meanBytes, widgetFrameBytes: pulse?.widgets?.frames.meanBytes });
  try {
    const loadtest = Bun.spawn(
      [
        ...pulseCommand(),
        "loadtest",
        "--url", `http://127.0.0.1:${server.port}`,
        "--protocol", protocols[name],
        "--token", TOKEN,
        "--dashboards", String(scenario.dashboards),
        "--stalled", String(scenario.stalled),
        "--views", String(scenario.views ?? 0),
        "--rate", String(scenario.rate),
        "--duration", String(scenario.duration),
        "--markers", scenario.dashboards === 0 || name === "bare" || name === "floor" ? "0" : "20",
        "--widgets", String(scenario.widgets ?? 0),
        "--pages", String(scenario.pages ?? 10),
        "--widget-churn", String(scenario.widgetChurn ?? 0),
        "--widget-site", WIDGET_SITE,
        "--live-interval", String(liveInterval),
        // Workers share the port: loadtest finds the primary and every worker by it.
        ...(WORKERS[name] ? [] : ["--server-pid", String(server.pid)]),
        "--tick-ms", String(protocols[name] === "pulse" ? tickMs : 1),
        "--json",
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [code, stdout, stderr] = await Promise.all([loadtest.exited, new Response(loadtest.stdout).text(), new Response(loadtest.stderr).text()]);
    if (code !== 0) throw new Error(stderr.trim().split("\n").at(-1) ?? `loadtest exited with ${code}`);
    return JSON.parse(stdout) as Report;
  } finally {
    await server.stop();
  }
}

const results: Results = new Map();
const started = Date.now();
for (const scenario of scenarios) {
  const row = new Map<string, BenchReport | { error: string }>();
  results.set(scenario.name, row);
  const runs = new Map<ServerName, Report[]>(scenario.servers.map((server) => [server, []]));
  const rounds = scenario.rounds ?? 1;
  for (let round = 0; round < rounds; round++) {
    for (const server of roundOrder(scenario.servers, round)) {
      if (row.has(server)) continue; // failed in an earlier round
      process.stderr.write(`${scenario.name} (${scenario.purpose})${rounds > 1 ? ` round ${round + 1}/${rounds}` : ""}: ${server}… `);
      try {
        if (server === "floor" && !runs.get("pulse")?.length) throw new Error("the floor runs after Pulse, whose frame sizes it takes");
        const report = await runOne(scenario, server, runs.get("pulse")?.at(-1));
        runs.get(server)!.push(report);
        process.stderr.write(
          `${report.pageviews.acceptedPerSecond} pv/s, p99 ${report.latency.p99Ms} ms, RSS ${((report.server?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB, ${report.generator.saturated || report.generator.fellBehind ? "generator-bound" : "generator kept up"}\n`,
        );
      } catch (error) {
        row.set(server, { error: error instanceof Error ? error.message : String(error) });
        process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }
  for (const [server, reports] of runs) if (!row.has(server)) row.set(server, medianRun(reports, scenario.rate > 0 ? byRate : byCpuPerFrame));
}

if (reportsFile) writeFileSync(reportsFile, JSON.stringify(Object.fromEntries([...results].map(([name, row]) => [name, Object.fromEntries(row)])), null, 1));
const targets = evaluateTargets(results);
const commit = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT }).stdout.toString().trim() || "unknown";
const markdown = resultsMarkdown(
  {
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, load generator on the same machine`,
    commit,
    command: isSmoke ? "bun bench/run.ts --smoke" : "npm run bench",
  },
  scenarios,
  results,
  isSmoke ? [] : targets,
);
process.stdout.write(`${markdown}\n`);
if (!isSmoke) for (const target of targets) process.stderr.write(`target ${target.met ? "met" : "MISSED"}: ${target.name} (${target.detail})\n`);
process.stderr.write(`benchmark took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
if (!isSmoke && !args.includes("--no-write")) {
  const path = join(ROOT, "docs/benchmarks.md");
  writeFileSync(path, replaceResults(readFileSync(path, "utf8"), markdown));
  process.stderr.write(`results written to docs/benchmarks.md\n`);
}
