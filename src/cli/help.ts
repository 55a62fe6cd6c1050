import { optionsHelp, type OptionSpec } from "./options.ts";

/** The commands' options come from the commands (config.ts, loadtest/options.ts): the CLI layer knows no command. */
export function helpText(serveOptions: readonly OptionSpec[], loadtestOptions: readonly OptionSpec[]): string {
  return [
    "pulse: real-time web analytics server",
    "",
    "Usage:",
    "  pulse [serve] [options]     start the server (the default command)",
    "  pulse loadtest [options]    open many dashboards and live widgets against a server, send pageviews, report",
    "  pulse --version             print the version",
    "  pulse --help                print this help",
    "",
    "serve options (flags win over environment variables):",
    ...optionsHelp(serveOptions),
    "",
    "loadtest options:",
    ...optionsHelp(loadtestOptions),
    "",
  ].join("\n");
}
