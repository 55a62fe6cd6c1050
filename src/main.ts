#!/usr/bin/env bun
import packageJson from "../package.json" with { type: "json" };
import { joinRedis, startPostgresNode, startRedisNode, startSingleProcess, type NodeBase, type RunningServer } from "./app.ts";
import { Metrics } from "./core/metrics.ts";
import type { EventStore } from "./storage/event-store.ts";
import { StreamArchiver } from "./storage/stream-archiver.ts";
import { createMemoryStore } from "./storage/memory-store.ts";
import { PostgresStore, databaseAddress } from "./storage/postgres-store.ts";
import type { Prunable } from "./storage/retention.ts";
import { redisAddress } from "./bus/redis-bus.ts";
import { selfCommand } from "./cli/self-command.ts";
import { startupFailure, type ListenAddress } from "./cli/startup-failure.ts";
import { startPrimary } from "./cluster/primary.ts";
import { runServeWorker } from "./cluster/worker.ts";
import { helpText } from "./cli/help.ts";
import { parseConfig, SERVE_OPTIONS, splitCommand, type Config } from "./config.ts";
import { DailySalts } from "./core/ingest/visitor-id.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { LoadtestError, printReport, runLoadtest } from "./loadtest/coordinator.ts";
import { LOADTEST_OPTIONS, parseLoadtestConfig } from "./loadtest/options.ts";
import { runWorker, type WorkerPlan } from "./loadtest/worker.ts";
import { fileLimitWarning, readFileLimit } from "./host/file-limit.ts";
import { openDataDir, type DataDir } from "./storage/data-dir.ts";
import { startRetention } from "./storage/retention.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { rmSync } from "node:fs";

/** Start-up failures get one line and exit code 2; a bug keeps its stack (see startupFailure). */
function exitOnStartupError(error: unknown, listen?: ListenAddress): never {
  const line = startupFailure(error, listen);
  if (line === null) throw error;
  console.error(`pulse: ${line}`);
  process.exit(2);
}

function serve(config: Config, argv: string[]): void {
  let dataDir: DataDir | undefined;
  let started: Promise<{ port: number; restored: number; workers?: number[]; stop(): Promise<void> }>;
  const failed = (error: unknown): never => {
    // A token made by a start that failed was never shown: the next start makes and shows another.
    if (dataDir?.tokenCreated) rmSync(dataDir.tokenPath, { force: true });
    return exitOnStartupError(error, config);
  };
  try {
    dataDir = openDataDir(config.data, config.token);
    const { token } = dataDir;
    const salts = new DailySalts(undefined, dataDir.salts, dataDir.saveSalts);
    const base = { files: embeddedAssets, token };
    if (config.redis !== null && config.workers > 1) {
      // With --database the node's own file is not used: a store in memory stands in for it.
      const store = config.database === null ? openSqliteStore(dataDir.eventsPath) : createMemoryStore();
      started = startJoinedPrimary({ ...config, redis: config.redis }, { argv, store, eventsPath: dataDir.eventsPath, token, salts });
      return void started.then((server) => (printBanner(config, server.port, dataDir!, server.restored, server.workers), stopOnSignals(server)), failed);
    }
    if (config.database !== null) {
      started = startOnDatabase(config, config.database, { ...base, salts });
      return void started.then((server) => (printBanner(config, server.port, dataDir!, server.restored, undefined), stopOnSignals(server)), failed);
    }
    const store = openSqliteStore(dataDir.eventsPath);
    if (config.redis !== null) {
      // Each node stores what it applies, so each prunes its own store.
      started = withRetention(store, config.retentionDays, startRedisNode({ ...config, redis: config.redis }, base, { store }));
    } else if (config.workers > 1) {
      started = startPrimary({ config, argv, self: selfCommand(), store, eventsPath: dataDir.eventsPath, token, salts }).then((primary) => ({
        ...primary,
        workers: primary.pids(),
      }));
    } else {
      const server = startSingleProcess(config, { files: embeddedAssets, store, token, salts });
      // The process that writes the store prunes it (with workers, the primary).
      const retention = startRetention(store, config.retentionDays);
      started = Promise.resolve({ ...server, stop: () => (retention.stop(), server.stop()) });
    }
  } catch (error) {
    return failed(error);
  }
  started.then(
    (server) => {
      printBanner(config, server.port, dataDir!, server.restored, server.workers);
      stopOnSignals(server);
    },
    failed,
  );
}

/**
 * A node keeping its events in PostgreSQL: alone, or joined by Redis to nodes sharing the database.
 * Every node prunes the shared store (deleting what another has deleted is no work).
 */
async function startOnDatabase(config: Config, database: string, base: NodeBase & { salts: DailySalts }): Promise<RunningServer> {
  const shared = await PostgresStore.open(database);
  const server = config.redis !== null ? startRedisNode({ ...config, redis: config.redis }, base, { shared }) : startPostgresNode(config, base, shared);
  return withRetention(shared, config.retentionDays, server.catch(async (error: unknown) => {
    await shared.close();
    throw error;
  }));
}

/**
 * The primary of a node of workers joined by Redis: it alone speaks to Redis for them. It stores in
 * its own `store`, or, with --database, one node at a time stores each event in the shared one.
 */
async function startJoinedPrimary(
  config: Config & { redis: string },
  local: { argv: string[]; store: EventStore; eventsPath: string; token: string; salts: DailySalts },
): Promise<{ port: number; restored: number; workers: number[]; stop(): Promise<void> }> {
  const metrics = new Metrics();
  let counts: { residentBytes(): number; processes(): number } | undefined;
  const shared = config.database === null ? undefined : await PostgresStore.open(config.database);
  const joined = await joinRedis(config, metrics, local.store.lastPosition(), {
    residentBytes: () => counts?.residentBytes() ?? process.memoryUsage.rss(),
    processes: () => counts?.processes() ?? 1,
  }).catch(async (error: unknown) => {
    await shared?.close();
    throw error;
  });
  const { node, bus, control } = joined;
  const archiver = shared && new StreamArchiver({ url: config.redis, stream: bus.key, node, store: shared, metrics, intervalMs: config.tickMs });
  const starting = startPrimary({
    config,
    argv: local.argv,
    self: selfCommand(),
    store: local.store,
    eventsPath: local.eventsPath,
    token: local.token,
    salts: local.salts,
    joined: { bus, control, metrics, storesLocally: shared === undefined, ...(archiver ? { archiver } : {}), onCoordinator: (coordinator) => (counts = coordinator) },
  });
  // The shared store is pruned by every node; the node's own file by its coordinator.
  const primary = shared ? await withRetention(shared, config.retentionDays, starting) : await starting;
  return { ...primary, workers: primary.pids(), stop: async () => (await primary.stop(), await shared?.close()) };
}

/** Prunes `store` while the server runs, from its start; stops with it. */
function withRetention<Server extends { stop(): Promise<void> }>(store: Prunable, days: number, starting: Promise<Server>): Promise<Server> {
  const retention = startRetention(store, days);
  return starting.then(
    (server) => ({ ...server, stop: () => (retention.stop(), server.stop()) }),
    (error: unknown) => {
      retention.stop();
      throw error;
    },
  );
}

/**
 * The banner. Logs are kept and shipped (journald, Docker), so the link that carries the token is
 * printed only on the start that created the token; other starts say where the token is.
 */
function printBanner(config: Config, port: number, dataDir: DataDir, restored: number, workers: number[] | undefined): void {
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shownHost}:${port}`;
  if (dataDir.tokenCreated) console.log(`pulse: created an access token in ${dataDir.tokenPath}`);
  console.log(`pulse ${packageJson.version} listening on ${config.host}:${port}, data in ${config.data}`);
  if (workers) console.log(`  Workers:    ${workers.length} processes sharing the port (pids ${workers.join(", ")}), primary pid ${process.pid}`);
  if (config.database !== null) console.log(`  Events in:  PostgreSQL at ${databaseAddress(config.database)}`);
  if (config.redis !== null) {
    const stored = config.database === null ? `this node stores what it shows in ${config.data}` : "one node at a time stores each event";
    console.log(`  Joined:     the nodes sharing Redis at ${redisAddress(config.redis)}; ${stored}`);
    if (config.token === null) console.log("  Token:      this node's own: give every node the same --token (PULSE_TOKEN) so a dashboard may land on any of them");
  }
  if (restored > 0) console.log(`  Restored:   ${restored} events of the last 30 minutes`);
  const warning = fileLimitWarning(readFileLimit(), workers?.length ?? 1);
  if (warning) console.log(warning);
  if (dataDir.tokenCreated) console.log(`  Dashboard:  ${base}/?token=${encodeURIComponent(dataDir.token)}`);
  else console.log(`  Dashboard:  ${base}/  (token ${config.token === null ? `in ${dataDir.tokenPath}` : "given with --token or PULSE_TOKEN"})`);
  console.log(`  Demo site:  ${base}/demo  (open it beside the dashboard of demo.local and click around)`);
  console.log(`  Tracker:    <script defer data-domain="your.site" src="${base}/js/script.js"></script>`);
  console.log(`              (with outbound links and file downloads: ${base}/js/script.outbound-links.file-downloads.js)`);
  console.log(`  Ingest:     POST ${base}/api/event`);
}

function stopOnSignals(server: { stop(): Promise<void> }): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (error) => {
        console.error("pulse: shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

async function loadtest(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseLoadtestConfig(argv, process.env);
  } catch (error) {
    exitOnStartupError(error);
  }
  try {
    printReport(await runLoadtest(config), config.json);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof LoadtestError)) throw error;
    console.error(`pulse loadtest: ${error.message}`);
    process.exit(1);
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  // The load generator's worker processes: not a command people type.
  if (argv[0] === "loadtest-worker") return void runWorker(JSON.parse(argv[1] ?? "{}") as WorkerPlan);
  // A worker process of `serve --workers N`, started by the primary with an IPC channel.
  if (argv[0] === "serve-worker") return void runServeWorker(embeddedAssets);
  let command;
  try {
    command = splitCommand(argv);
  } catch (error) {
    exitOnStartupError(error);
  }
  if (command.command === "help") return void process.stdout.write(helpText(SERVE_OPTIONS, LOADTEST_OPTIONS));
  if (command.command === "version") return void console.log(`pulse ${packageJson.version}`);
  if (command.command === "loadtest") return void loadtest(command.rest);
  let config: Readonly<Config>;
  try {
    config = parseConfig(argv, process.env);
  } catch (error) {
    exitOnStartupError(error);
  }
  serve(config, argv);
}

main();
