import { SERVE_OPTIONS } from "../config.ts";
import { LOADTEST_OPTIONS } from "../loadtest/options.ts";
import { optionsHelp } from "./options.ts";

export function helpText(): string {
  return [
    "pulse: real-time web analytics server",
    "",
    "Usage:",
    "  pulse [serve] [options]     start the server (the default command)",
    "  pulse loadtest [options]    open many dashboards against a server, send pageviews, report",
    "  pulse --version             print the version",
    "  pulse --help                print this help",
    "",
    "serve options (flags win over environment variables):",
    ...optionsHelp(SERVE_OPTIONS),
    "",
    "loadtest options:",
    ...optionsHelp(LOADTEST_OPTIONS),
    "",
  ].join("\n");
}
