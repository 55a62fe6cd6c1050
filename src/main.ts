#!/usr/bin/env bun
import packageJson from "../package.json" with { type: "json" };
import { startServer } from "./app.ts";
import { ConfigError, helpText, parseConfig } from "./config.ts";
import { embeddedAssets } from "./generated/assets.ts";

function main(): void {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`pulse: ${error.message}`);
    process.exit(2);
  }

  if (config.command === "help") return void process.stdout.write(helpText());
  if (config.command === "version") return void console.log(`pulse ${packageJson.version}`);

  const server = startServer(config, embeddedAssets);
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = `http://${shownHost}:${server.port}`;
  console.log(`pulse ${packageJson.version} listening on ${config.host}:${server.port}`);
  console.log(`  Dashboard:  ${base}/`);
  console.log(`  Ingest:     POST ${base}/api/event`);

  const shutdown = () => void server.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main();
