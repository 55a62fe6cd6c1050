/**
 * What `pulse serve` tells the operator and how it ends, the same on every runtime: the banner,
 * start-up failures as one line, and a clean stop on SIGINT and SIGTERM.
 */
import packageJson from "../../package.json" with { type: "json" };
import { databaseAddress } from "../storage/postgres-address.ts";
import { redisAddress } from "../bus/redis-address.ts";
import { SERVE_OPTIONS, splitCommand, type Config } from "../config.ts";
import { LOADTEST_OPTIONS } from "../loadtest/options.ts";
import { helpText } from "./help.ts";
import { fileLimitWarning, readFileLimit } from "../host/file-limit.ts";
import type { DataDir } from "../storage/data-dir.ts";
import { startupFailure, type ListenAddress } from "./startup-failure.ts";

/** Start-up failures get one line and exit code 2; a bug keeps its stack (see startupFailure). */
export function exitOnStartupError(error: unknown, listen?: ListenAddress): never {
  const line = startupFailure(error, listen);
  if (line === null) throw error;
  console.error(`pulse: ${line}`);
  process.exit(2);
}

/**
 * The banner. Logs are kept and shipped (journald, Docker), so the link that carries the token is
 * printed only on the start that created the token; other starts say where the token is.
 */
export function printBanner(config: Config, port: number, dataDir: DataDir, restored: number, workers: number[] | undefined): void {
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

export function stopOnSignals(server: { stop(): Promise<void> }): void {
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


/**
 * The command argv asks for, `serve` or `loadtest` with the arguments after it; undefined once
 * help or the version (`version` says which build) is printed. A bad command exits with code 2.
 */
export function commandOf(argv: string[], version: string): { command: "serve" | "loadtest"; rest: string[] } | undefined {
  let command;
  try {
    command = splitCommand(argv);
  } catch (error) {
    exitOnStartupError(error);
  }
  if (command.command === "help") return void process.stdout.write(helpText(SERVE_OPTIONS, LOADTEST_OPTIONS));
  if (command.command === "version") return void console.log(version);
  return { command: command.command, rest: command.rest };
}
