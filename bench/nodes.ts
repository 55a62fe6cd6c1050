/**
 * Pulse nodes joined by Redis on this one box: for 1, 2 and 3 nodes sharing a redis-server, the
 * load test spreads its dashboards and pageviews over every node (`--url` once per node) and prints
 * the cross-node latency (markers are sent to each node in turn and watched on every node), the CPU
 * of the nodes and of Redis (and Redis's per tick), and, in a second run with few dashboards and
 * more pageviews than the nodes can take, the ingest ceiling. Every node applies every event, so on
 * one 2-core box more nodes share the same cores: the ceiling here says what the exchange costs, not
 * what several machines would take.
 *
 *   bun build.ts && bun bench/nodes.ts [--nodes 1,2,3] [--workers 1] [--dashboards 3000] [--rate 1000] [--ceiling-rate 20000] [--duration 20] [--database]
 */
import { parseArgs } from "node:util";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../src/loadtest/report.ts";
import { startPostgres, type PostgresProcess } from "../test/helpers/postgres-server.ts";
import { startRedis } from "../test/helpers/redis-server.ts";
import { pulseCommand, TICK_MS, TOKEN } from "./servers.ts";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "1,2,3" },
    dashboards: { type: "string", default: "3000" },
    rate: { type: "string", default: "1000" },
    "ceiling-rate": { type: "string", default: "20000" },
    duration: { type: "string", default: "20" },
    /** The nodes share one PostgreSQL too (each event stored once) instead of a SQLite file each. */
    database: { type: "boolean", default: false },
    /** Processes per node: 1, or a primary and this many workers. */
    workers: { type: "string", default: "1" },
  },
});
const counts = values.nodes.split(",").map(Number);
const duration = Number(values.duration);

interface Node {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startNode(redisUrl: string, database: string | null): Promise<Node> {
  const data = mkdtempSync(join(tmpdir(), "pulse-node-"));
  const child = Bun.spawn(
    [
      ...pulseCommand(), "serve", "--port", "0", "--data", data, "--token", TOKEN, "--tick-ms", String(TICK_MS), "--redis", redisUrl,
      "--workers", values.workers, "--max-dashboards-per-ip", "0", ...(database ? ["--database", database] : []),
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "inherit" },
  );
  const reader = child.stdout.getReader();
  let text = "";
  while (!/listening on [\d.:]+:(\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`a node exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  void (async () => {
    while (!(await reader.read()).done);
  })();
  return {
    port: Number(/listening on [\d.:]+:(\d+)/.exec(text)![1]),
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** A process's CPU seconds so far (user and system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function loadtest(nodes: Node[], dashboards: number, rate: number): Promise<Report> {
  const run = Bun.spawn(
    [
      ...pulseCommand(), "loadtest", ...nodes.flatMap((node) => ["--url", `http://127.0.0.1:${node.port}`]), "--token", TOKEN,
      "--dashboards", String(dashboards), "--rate", String(rate), "--duration", String(duration), "--markers", "30", "--tick-ms", String(TICK_MS), "--json",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [code, stdout, stderr] = await Promise.all([run.exited, new Response(run.stdout).text(), new Response(run.stderr).text()]);
  if (code !== 0) throw new Error(stderr.trim().split("\n").at(-1) ?? `loadtest exited with ${code}`);
  return JSON.parse(stdout) as Report;
}

const rows: string[] = [];
for (const count of counts) {
  const redis = await startRedis();
  let postgres: PostgresProcess | undefined;
  if (values.database) postgres = await startPostgres();
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(redis.url, postgres?.url ?? null));
    const redisBefore = cpuSeconds(redis.pid);
    const started = performance.now();
    const spread = await loadtest(nodes, Number(values.dashboards), Number(values.rate));
    const seconds = (performance.now() - started) / 1000;
    const redisCores = (cpuSeconds(redis.pid) - redisBefore) / seconds;
    // Redis works for the whole run (connecting too): per tick of the run's length.
    const redisPerTickUs = ((cpuSeconds(redis.pid) - redisBefore) / (seconds * (1000 / TICK_MS))) * 1e6;
    const ceiling = await loadtest(nodes, 100, Number(values["ceiling-rate"]));
    rows.push(
      `| ${count} | ${spread.pageviews.acceptedPerSecond} | ${spread.latency.p50Ms} / ${spread.latency.p90Ms} / ${spread.latency.p99Ms} ms | ` +
        `${spread.server?.cpuCores ?? "?"} | ${redisCores.toFixed(3)} | ${redisPerTickUs.toFixed(0)} µs | ${ceiling.pageviews.acceptedPerSecond} pv/s (${ceiling.generator.saturated ? "generator saturated" : `of ${values["ceiling-rate"]} asked`}) |`,
    );
    console.log(`${count} node(s): ${rows.at(-1)}`);
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
    await postgres?.stop();
  }
}
const perNode = values.workers === "1" ? "one process per node" : `a primary and ${values.workers} workers per node`;
console.log(`\n${values.dashboards} dashboards and ${values.rate} pageviews/s spread over the nodes for ${duration} s, ${perNode}; ceiling with 100 dashboards${values.database ? "; one PostgreSQL shared" : ""}`);
console.log("| nodes | accepted pv/s | latency p50 / p90 / p99 | nodes' CPU (cores) | Redis CPU (cores) | Redis per tick | ingest ceiling |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
