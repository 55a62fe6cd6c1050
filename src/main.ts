#!/usr/bin/env bun
import packageJson from "../package.json" with { type: "json" };
import { startServer, type RunningServer } from "./app.ts";
import { helpText } from "./cli/help.ts";
import { ConfigError, parseConfig, splitCommand, type Config } from "./config.ts";
import { DailySalts } from "./core/visitor-id.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { LoadtestError, printReport, runLoadtest } from "./loadtest/coordinator.ts";
import { parseLoadtestConfig } from "./loadtest/options.ts";
import { runWorker, type WorkerPlan } from "./loadtest/worker.ts";
import { fileLimitWarning, readFileLimit } from "./server/file-limit.ts";
import { GeoipError } from "./server/geoip.ts";
import { DataDirError, openDataDir } from "./storage/data-dir.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";

/** Start-up mistakes get one line and exit code 2; anything else is a bug and keeps its stack. */
function exitOnStartupError(error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof GeoipError || error instanceof DataDirError)) throw error;
  console.error(`pulse: ${error.message}`);
  process.exit(2);
}

function serve(config: Config): void {
  let server: RunningServer;
  let token: string;
  try {
    const dataDir = openDataDir(config.data, config.token);
    token = dataDir.token;
    const store = openSqliteStore(dataDir.eventsPath);
    const salts = new DailySalts(undefined, dataDir.salts, dataDir.saveSalts);
    server = startServer(config, { files: embeddedAssets, store, token, salts });
    if (dataDir.tokenCreated) console.log(`pulse: created an access token in ${dataDir.path}/token`);
  } catch (error) {
    exitOnStartupError(error);
  }

  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shownHost}:${server.port}`;
  console.log(`pulse ${packageJson.version} listening on ${config.host}:${server.port}, data in ${config.data}`);
  if (server.restored > 0) console.log(`  Restored:   ${server.restored} events of the last 30 minutes`);
  const warning = fileLimitWarning(readFileLimit());
  if (warning) console.log(warning);
  console.log(`  Dashboard:  ${base}/?token=${encodeURIComponent(token)}`);
  console.log(`  Demo site:  ${base}/demo  (open it beside the dashboard of demo.local and click around)`);
  console.log(`  Tracker:    <script defer data-domain="your.site" src="${base}/js/script.js"></script>`);
  console.log(`  Ingest:     POST ${base}/api/event`);

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
  let command;
  try {
    command = splitCommand(argv);
  } catch (error) {
    exitOnStartupError(error);
  }
  if (command.command === "help") return void process.stdout.write(helpText());
  if (command.command === "version") return void console.log(`pulse ${packageJson.version}`);
  if (command.command === "loadtest") return void loadtest(command.rest);
  let config: Readonly<Config>;
  try {
    config = parseConfig(argv, process.env);
  } catch (error) {
    exitOnStartupError(error);
  }
  serve(config);
}

main();
