/**
 * Pulse on Node.js: the same server from the same core, on uWebSockets.js (the C++ server inside
 * Bun.serve, bound for Node) with its events in SQLite through better-sqlite3. This is Node's
 * composition root, as src/app.ts is the Bun binary's; built by `bun build.ts --node` into
 * dist/pulse-node.mjs and run with `node dist/pulse-node.mjs serve [options]` (npm run start:node).
 *
 * Redis and PostgreSQL are reached through Bun's own clients, so a node joined to others
 * (--redis, --database) runs the Bun binary; asked for them, this refuses and says so.
 */
import packageJson from "../package.json" with { type: "json" };
import { commandOf, exitOnStartupError, printBanner, stopOnSignals } from "./cli/serve-lifecycle.ts";
import { ConfigError } from "./cli/options.ts";
import { parseConfig, type Config } from "./config.ts";
import { localResources, startServer } from "./compose.ts";
import { DailySalts } from "./core/ingest/visitor-id.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { UwsListenError, UwsTransport } from "./server/uws-server.ts";
import { loadUws } from "./server/uws-addon.ts";
import { openDataDir, type DataDir } from "./storage/data-dir.ts";
import { startRetention } from "./storage/retention.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import { rmSync } from "node:fs";

/** What only the Bun binary does, and why. */
function refusedOnNode(config: Config, argv: string[]): string | undefined {
  if (config.redis !== null) return "--redis needs the Bun binary (dist/pulse): Pulse reaches Redis through Bun's client";
  if (config.database !== null) return "--database needs the Bun binary (dist/pulse): Pulse reaches PostgreSQL through Bun's client";
  const workersGiven = argv.some((arg) => arg === "--workers" || arg.startsWith("--workers=")) || Boolean(process.env.PULSE_WORKERS);
  if (workersGiven && config.workers > 1) return "--workers above 1 needs the Bun binary (dist/pulse) for now: on Node.js, Pulse runs one process";
  return undefined;
}

function serve(argv: string[]): void {
  let config: Config;
  try {
    config = parseConfig(argv, process.env);
    const refusal = refusedOnNode(config, argv);
    if (refusal) throw new ConfigError(refusal);
  } catch (error) {
    return exitOnStartupError(error);
  }
  // One process unless asked otherwise (and then refused above): the default of the Bun binary is a worker per core.
  config = { ...config, workers: 1 };
  let dataDir: DataDir | undefined;
  try {
    const uws = loadUws();
    dataDir = openDataDir(config.data, config.token);
    const store = openSqliteStore(dataDir.eventsPath);
    const salts = new DailySalts(undefined, dataDir.salts, dataDir.saveSalts);
    const server = startServer(config, localResources(config, { files: embeddedAssets, store, token: dataDir.token, salts }, new UwsTransport(uws)));
    const retention = startRetention(store, config.retentionDays);
    printBanner(config, server.port, dataDir, server.restored, undefined);
    stopOnSignals({ stop: () => (retention.stop(), server.stop()) });
  } catch (error) {
    // A token made by a start that failed was never shown: the next start makes and shows another.
    if (dataDir?.tokenCreated) rmSync(dataDir.tokenPath, { force: true });
    const listen = config;
    if (error instanceof UwsListenError) void error.reason().then((reasoned) => exitOnStartupError(reasoned, listen));
    else exitOnStartupError(error, config);
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const command = commandOf(argv, `pulse ${packageJson.version} (Node.js ${process.versions.node}, uWebSockets.js)`);
  if (!command) return;
  if (command.command === "loadtest") return exitOnStartupError(new ConfigError("pulse loadtest runs from the Bun binary (dist/pulse loadtest): it drives load from Bun's processes"));
  serve(argv);
}

main();
