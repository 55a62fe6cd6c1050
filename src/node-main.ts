/**
 * Pulse on Node.js: the same server from the same core, on uWebSockets.js (the C++ server inside
 * Bun.serve, bound for Node) with its events in SQLite through better-sqlite3. This is Node's
 * composition root, as src/app.ts is the Bun binary's; built by `bun build.ts --node` into
 * dist/pulse-node.mjs and run with `node dist/pulse-node.mjs serve [options]` (npm run start:node).
 *
 * With `--workers N` (by default a worker per core, as in the binary) a primary supervises N
 * worker processes sharing the port, as in the binary. Redis and PostgreSQL are reached through
 * Bun's own clients, so a node joined to others (--redis, --database) runs the Bun binary; asked
 * for them, this refuses and says so.
 */
import packageJson from "../package.json" with { type: "json" };
import { commandOf, exitOnStartupError, printBanner, stopOnSignals } from "./cli/serve-lifecycle.ts";
import { ConfigError } from "./cli/options.ts";
import { parseConfig, type Config } from "./config.ts";
import { localResources, startServer, workerResources } from "./compose.ts";
import { startPrimary, type PrimaryOptions, type RunningPrimary } from "./cluster/primary.ts";
import { nodeWorkers } from "./cluster/node-worker-process.ts";
import { runServeWorker, type WorkerResources } from "./cluster/worker.ts";
import { DailySalts } from "./core/ingest/visitor-id.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { UwsListenError, UwsTransport } from "./server/uws-server.ts";
import { loadUws } from "./server/uws-addon.ts";
import { openDataDir, type DataDir } from "./storage/data-dir.ts";
import { startRetention } from "./storage/retention.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { rmSync } from "node:fs";
import { tryListen } from "./host/try-listen.ts";
import { fileURLToPath } from "node:url";

/** What only the Bun binary does, and why. */
function refusedOnNode(config: Config): string | undefined {
  if (config.redis !== null) return "--redis needs the Bun binary (dist/pulse): Pulse reaches Redis through Bun's client";
  if (config.database !== null) return "--database needs the Bun binary (dist/pulse): Pulse reaches PostgreSQL through Bun's client";
  return undefined;
}

function serve(argv: string[]): void {
  let config: Config;
  try {
    config = parseConfig(argv, process.env);
    const refusal = refusedOnNode(config);
    if (refusal) throw new ConfigError(refusal);
  } catch (error) {
    return exitOnStartupError(error);
  }
  let dataDir: DataDir | undefined;
  const listen = config;
  const failed = (error: unknown): void => {
    // A token made by a start that failed was never shown: the next start makes and shows another.
    if (dataDir?.tokenCreated) rmSync(dataDir.tokenPath, { force: true });
    if (error instanceof UwsListenError) void error.reason().then((reasoned) => exitOnStartupError(reasoned, listen));
    else exitOnStartupError(error, listen);
  };
  try {
    const uws = loadUws();
    dataDir = openDataDir(config.data, config.token);
    const opened = dataDir;
    const store = openSqliteStore(dataDir.eventsPath);
    const salts = new DailySalts(undefined, dataDir.salts, dataDir.saveSalts);
    if (config.workers > 1) {
      const workers = { argv, spawnWorker: nodeWorkers(fileURLToPath(import.meta.url)), store, eventsPath: dataDir.eventsPath, token: dataDir.token, salts };
      void startNodePrimary(config, workers).then((primary) => {
        printBanner(config, primary.port, opened, primary.restored, primary.pids());
        stopOnSignals(primary);
      }, failed);
      return;
    }
    const server = startServer(config, localResources(config, { files: embeddedAssets, store, token: dataDir.token, salts }, new UwsTransport(uws)));
    const retention = startRetention(store, config.retentionDays);
    printBanner(config, server.port, dataDir, server.restored, undefined);
    stopOnSignals({ stop: () => (retention.stop(), server.stop()) });
  } catch (error) {
    failed(error);
  }
}

/**
 * The primary of `--workers N` on Node.js, as in the binary (src/cluster/primary.ts), its workers
 * `node dist/pulse-node.mjs serve-worker`. uWebSockets shares a port only when one is given, so
 * `--port 0` becomes a free port here, before the first worker binds it.
 */
async function startNodePrimary(config: Config, workers: Omit<PrimaryOptions, "config">): Promise<RunningPrimary> {
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  return startPrimary({ ...workers, config: { ...config, port } });
}

async function freePort(host: string): Promise<number> {
  const tried = await tryListen(host, 0);
  if ("code" in tried) throw Object.assign(new Error(`cannot listen on ${host}`), { syscall: "listen", code: tried.code });
  return tried.port;
}

/** A worker on Node.js: the primary's bus and pace, uWebSockets.js sharing the port, the store read from the primary's file. */
const nodeWorkerResources: WorkerResources = async (config, start, channel, bus, base) =>
  workerResources(config, start, channel, bus, base, new UwsTransport(loadUws()), { store: openSqliteStore(start.eventsPath) });

function main(): void {
  const argv = process.argv.slice(2);
  // A worker process of `serve --workers N`, started by the primary with an IPC channel.
  if (argv[0] === "serve-worker") return void runServeWorker(embeddedAssets, nodeWorkerResources);
  const command = commandOf(argv, `pulse ${packageJson.version} (Node.js ${process.versions.node}, uWebSockets.js)`);
  if (!command) return;
  if (command.command === "loadtest") return exitOnStartupError(new ConfigError("pulse loadtest runs from the Bun binary (dist/pulse loadtest): it drives load from Bun's processes"));
  serve(argv);
}

main();
