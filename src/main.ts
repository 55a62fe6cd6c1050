#!/usr/bin/env bun
import packageJson from "../package.json" with { type: "json" };
import { commandOf, exitOnStartupError, printBanner, stopOnSignals } from "./cli/serve-lifecycle.ts";
import { bunWorkerResources, joinRedis, startPostgresNode, startRedisNode, startSingleProcess, type NodeBase, type RunningServer } from "./app.ts";
import { Metrics } from "./core/metrics.ts";
import type { EventStore } from "./storage/event-store.ts";
import { StreamArchiver } from "./storage/stream-archiver.ts";
import { createMemoryStore } from "./storage/memory-store.ts";
import { PostgresStore } from "./storage/postgres-store.ts";
import type { Prunable } from "./storage/retention.ts";
import { spawnBunWorker } from "./cluster/bun-worker-process.ts";
import { startPrimary } from "./cluster/primary.ts";
import { runServeWorker } from "./cluster/worker.ts";
import { parseConfig, type Config } from "./config.ts";
import { DailySalts } from "./core/ingest/visitor-id.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { LoadtestError, printReport, runLoadtest } from "./loadtest/coordinator.ts";
import { parseLoadtestConfig } from "./loadtest/options.ts";
import { runWorker, type WorkerPlan } from "./loadtest/worker.ts";
import { openDataDir, type DataDir } from "./storage/data-dir.ts";
import { startRetention } from "./storage/retention.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { rmSync } from "node:fs";

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
      started = startPrimary({ config, argv, spawnWorker: spawnBunWorker, store, eventsPath: dataDir.eventsPath, token, salts }).then((primary) => ({
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
    spawnWorker: spawnBunWorker,
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
  if (argv[0] === "serve-worker") return void runServeWorker(embeddedAssets, bunWorkerResources);
  const command = commandOf(argv, `pulse ${packageJson.version}`);
  if (!command) return;
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
