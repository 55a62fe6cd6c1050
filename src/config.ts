import { normalizeOrigin } from "./core/origin.ts";

/** Everything the server is told at start-up, validated once and frozen. */
export interface Config {
  command: "serve" | "help" | "version";
  port: number;
  host: string;
  tickMs: number;
  allowOrigins: readonly string[];
  trustProxy: boolean;
  /** A MaxMind-format country or city database; without one, countries come from browser time zones. */
  geoip: string | null;
}

/** A bad flag or variable: the CLI prints the message on one line and exits with code 2. */
export class ConfigError extends Error {}

type Kind = "port" | "integer" | "string" | "boolean" | "origins";

interface OptionSpec {
  flag: string;
  key: keyof Omit<Config, "command">;
  kind: Kind;
  env: string[];
  default: Config[keyof Config];
  help: string;
  min?: number;
  max?: number;
}

const OPTIONS: OptionSpec[] = [
  { flag: "port", key: "port", kind: "port", env: ["PULSE_PORT", "PORT"], default: 3000, help: "TCP port to listen on (0 picks a free one)" },
  { flag: "host", key: "host", kind: "string", env: ["PULSE_HOST"], default: "0.0.0.0", help: "address to listen on" },
  {
    flag: "tick-ms",
    key: "tickMs",
    kind: "integer",
    env: ["PULSE_TICK_MS"],
    default: 250,
    min: 10,
    max: 10_000,
    help: "how often changed sites publish a frame to their dashboards, in ms",
  },
  {
    flag: "allow-origin",
    key: "allowOrigins",
    kind: "origins",
    env: ["PULSE_ALLOW_ORIGIN"],
    default: [],
    help: "another origin allowed to open dashboard sockets, e.g. https://admin.example (repeatable; comma-separated in the variable)",
  },
  {
    flag: "trust-proxy",
    key: "trustProxy",
    kind: "boolean",
    env: ["PULSE_TRUST_PROXY"],
    default: false,
    help: "take the client address from X-Forwarded-For and the origin from X-Forwarded-Proto/Host (only behind a proxy you run)",
  },
  {
    flag: "geoip",
    key: "geoip",
    kind: "string",
    env: ["PULSE_GEOIP"],
    default: null,
    help: "a MaxMind-format database (.mmdb: GeoLite2/GeoIP2 Country or City, DB-IP) to tell countries by address; without it, by time zone",
  },
];

const VALUE_NAMES: Record<Kind, string> = { port: "N", integer: "N", string: "TEXT", boolean: "", origins: "ORIGIN" };

const COMMANDS = ["serve", "help", "version"] as const;

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const values = new Map<string, unknown>();
  let command: Config["command"] | undefined;

  for (const spec of OPTIONS) {
    const name = spec.env.find((variable) => env[variable] !== undefined && env[variable] !== "");
    if (name) values.set(spec.key, parseValue(spec, env[name]!, name));
  }

  const fromFlags = new Map<string, unknown>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return freeze("help", values);
    if (arg === "--version" || arg === "-v") return freeze("version", values);
    if (!arg.startsWith("--")) {
      if (command !== undefined || !COMMANDS.includes(arg as Config["command"])) {
        throw new ConfigError(`unknown command ${JSON.stringify(arg)} (commands: ${COMMANDS.join(", ")})`);
      }
      command = arg as Config["command"];
      continue;
    }
    const [flag, inline] = splitFlag(arg.slice(2));
    const spec = OPTIONS.find((option) => option.flag === flag);
    if (!spec) throw new ConfigError(`unknown option --${flag} (see pulse --help)`);
    let raw = inline;
    if (raw === undefined && spec.kind !== "boolean") {
      raw = argv[++i];
      if (raw === undefined) throw new ConfigError(`--${flag} needs a value`);
    }
    const value = parseValue(spec, raw ?? "true", `--${flag}`);
    if (spec.kind === "origins" && fromFlags.has(spec.key)) {
      fromFlags.set(spec.key, [...(fromFlags.get(spec.key) as string[]), ...(value as string[])]);
    } else {
      fromFlags.set(spec.key, value);
    }
  }
  for (const [key, value] of fromFlags) values.set(key, value);
  return freeze(command ?? "serve", values);
}

function splitFlag(text: string): [string, string | undefined] {
  const equals = text.indexOf("=");
  return equals === -1 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
}

function parseValue(spec: OptionSpec, raw: string, source: string): unknown {
  switch (spec.kind) {
    case "string":
      if (raw.trim() === "") throw new ConfigError(`${source} must not be empty`);
      return raw.trim();
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${source} must be true or false, not ${JSON.stringify(raw)}`);
    case "port":
      return integer(raw, source, 0, 65_535);
    case "integer":
      return integer(raw, source, spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER);
    case "origins":
      return raw.split(",").map((entry) => {
        const origin = normalizeOrigin(entry.trim());
        if (!origin || origin === "null") {
          throw new ConfigError(`${source}: ${JSON.stringify(entry.trim())} is not an origin like https://example.com`);
        }
        return origin;
      });
  }
}

function integer(raw: string, source: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${source} must be a whole number, not ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${source} must be between ${min} and ${max}, not ${value}`);
  return value;
}

function freeze(command: Config["command"], values: Map<string, unknown>): Readonly<Config> {
  const config: Record<string, unknown> = { command };
  for (const spec of OPTIONS) config[spec.key] = values.has(spec.key) ? values.get(spec.key) : spec.default;
  config.allowOrigins = Object.freeze([...(config.allowOrigins as string[])]);
  return Object.freeze(config) as unknown as Config;
}

export function helpText(): string {
  const rows = OPTIONS.map((spec) => {
    const value = spec.kind === "boolean" ? "" : ` ${VALUE_NAMES[spec.kind]}`;
    const fallback = spec.default === null || Array.isArray(spec.default) ? "none" : String(spec.default);
    return `  --${spec.flag}${value}\n      ${spec.help}\n      env ${spec.env.join(" or ")}; default ${fallback}`;
  });
  return [
    "pulse: real-time web analytics server",
    "",
    "Usage:",
    "  pulse [serve] [options]   start the server (the default command)",
    "  pulse --version           print the version",
    "  pulse --help              print this help",
    "",
    "Options (flags win over environment variables):",
    ...rows,
    "",
  ].join("\n");
}
