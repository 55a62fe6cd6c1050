#!/usr/bin/env bun
import packageJson from "../package.json" with { type: "json" };
import { startServer } from "./app.ts";
import { ConfigError, helpText, parseConfig } from "./config.ts";
import { embeddedAssets } from "./generated/assets.ts";
import { GeoipError } from "./server/geoip.ts";

/** Start-up mistakes get one line and exit code 2; anything else is a bug and keeps its stack. */
function exitOnStartupError(error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof GeoipError)) throw error;
  console.error(`pulse: ${error.message}`);
  process.exit(2);
}

function main(): void {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    exitOnStartupError(error);
  }

  if (config.command === "help") return void process.stdout.write(helpText());
  if (config.command === "version") return void console.log(`pulse ${packageJson.version}`);

  let server;
  try {
    server = startServer(config, embeddedAssets);
  } catch (error) {
    exitOnStartupError(error);
  }
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shownHost}:${server.port}`;
  console.log(`pulse ${packageJson.version} listening on ${config.host}:${server.port}`);
  console.log(`  Dashboard:  ${base}/`);
  console.log(`  Demo site:  ${base}/demo  (open it beside the dashboard and click around)`);
  console.log(`  Tracker:    <script defer data-domain="your.site" src="${base}/js/script.js"></script>`);
  console.log(`  Ingest:     POST ${base}/api/event`);

  const shutdown = () => void server.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main();
