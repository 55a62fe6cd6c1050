import { normalizeSite } from "./core/event-input.ts";
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
  /** Directory for the event database, the access token and the visitor salts. */
  data: string;
  retentionDays: number;
  /** The access token; null: generated on first start and kept in the data directory. */
  token: string | null;
  /** Sites whose dashboard anyone may read. */
  publicSites: readonly string[];
  /** Sites that may be ingested; empty: any, up to maxSites. */
  sites: readonly string[];
  maxSites: number;
  /** Ingest requests per second per client address; 0: no limit. */
  rateLimit: number;
  /** Open dashboards per client address; 0: no limit. */
  maxDashboardsPerIp: number;
  metricsPublic: boolean;
}

/** A bad flag or variable: the CLI prints the message on one line and exits with code 2. */
export class ConfigError extends Error {}

type Kind = "port" | "integer" | "string" | "boolean" | "origins" | "sites" | "token";
type Key = keyof Omit<Config, "command">;

interface OptionSpec {
  flag: string;
  key: Key;
  kind: Kind;
  env: string[];
  default: Config[Key];
  help: string;
  min?: number;
  max?: number;
}

const env = (name: string) => [`PULSE_${name}`];

const OPTIONS: OptionSpec[] = [
  { flag: "port", key: "port", kind: "port", env: ["PULSE_PORT", "PORT"], default: 3000, help: "TCP port to listen on (0 picks a free one)" },
  { flag: "host", key: "host", kind: "string", env: env("HOST"), default: "0.0.0.0", help: "address to listen on" },
  {
    flag: "tick-ms",
    key: "tickMs",
    kind: "integer",
    env: env("TICK_MS"),
    default: 250,
    min: 10,
    max: 10_000,
    help: "how often changed sites publish a frame to their dashboards, in ms",
  },
  {
    flag: "data",
    key: "data",
    kind: "string",
    env: env("DATA"),
    default: "./pulse-data",
    help: "directory for the event database, the access token and the visitor salts (created if missing)",
  },
  {
    flag: "retention-days",
    key: "retentionDays",
    kind: "integer",
    env: env("RETENTION_DAYS"),
    default: 30,
    min: 1,
    max: 36_500,
    help: "days events are kept before they are pruned",
  },
  {
    flag: "token",
    key: "token",
    kind: "token",
    env: env("TOKEN"),
    default: null,
    help: "access token for dashboards, export, the JSON API and metrics (default: generated once, kept in the data directory)",
  },
  {
    flag: "public-site",
    key: "publicSites",
    kind: "sites",
    env: env("PUBLIC_SITE"),
    default: [],
    help: "a site whose live dashboard anyone may read, like a shared link (repeatable; comma-separated in the variable)",
  },
  {
    flag: "sites",
    key: "sites",
    kind: "sites",
    env: env("SITES"),
    default: [],
    help: "the only sites accepted for ingest, comma-separated; events for others are answered 202 and dropped (default: any)",
  },
  {
    flag: "max-sites",
    key: "maxSites",
    kind: "integer",
    env: env("MAX_SITES"),
    default: 1000,
    min: 1,
    max: 1_000_000,
    help: "sites with live data at once, when --sites is not given",
  },
  {
    flag: "rate-limit",
    key: "rateLimit",
    kind: "integer",
    env: env("RATE_LIMIT"),
    default: 0,
    min: 0,
    max: 1_000_000,
    help: "ingest requests per second per client address, answered 429 beyond (0: off; behind a proxy, needs --trust-proxy)",
  },
  {
    flag: "max-dashboards-per-ip",
    key: "maxDashboardsPerIp",
    kind: "integer",
    env: env("MAX_DASHBOARDS_PER_IP"),
    default: 0,
    min: 0,
    max: 1_000_000,
    help: "open dashboard sockets per client address (0: off)",
  },
  {
    flag: "allow-origin",
    key: "allowOrigins",
    kind: "origins",
    env: env("ALLOW_ORIGIN"),
    default: [],
    help: "another origin allowed to open dashboard sockets, e.g. https://admin.example (repeatable; comma-separated in the variable)",
  },
  {
    flag: "trust-proxy",
    key: "trustProxy",
    kind: "boolean",
    env: env("TRUST_PROXY"),
    default: false,
    help: "take the client address from X-Forwarded-For and the origin from X-Forwarded-Proto/Host (only behind a proxy you run)",
  },
  {
    flag: "geoip",
    key: "geoip",
    kind: "string",
    env: env("GEOIP"),
    default: null,
    help: "a MaxMind-format database (.mmdb: GeoLite2/GeoIP2 Country or City, DB-IP) to tell countries by address; without it, by time zone",
  },
  { flag: "metrics-public", key: "metricsPublic", kind: "boolean", env: env("METRICS_PUBLIC"), default: false, help: "serve /metrics without the token" },
];

const LIST_KINDS = new Set<Kind>(["origins", "sites"]);
const VALUE_NAMES: Record<Kind, string> = { port: "N", integer: "N", string: "TEXT", boolean: "", origins: "ORIGIN", sites: "DOMAIN", token: "TOKEN" };
const COMMANDS = ["serve", "help", "version"] as const;
export const MIN_TOKEN_LENGTH = 16;

export function parseConfig(argv: readonly string[], variables: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const values = new Map<Key, unknown>();
  let command: Config["command"] | undefined;

  for (const spec of OPTIONS) {
    const name = spec.env.find((variable) => variables[variable] !== undefined && variables[variable] !== "");
    if (name) values.set(spec.key, parseValue(spec, variables[name]!, name));
  }

  const fromFlags = new Map<Key, unknown>();
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
    const earlier = fromFlags.get(spec.key);
    // List options repeat: each flag adds to the list.
    fromFlags.set(spec.key, LIST_KINDS.has(spec.kind) && Array.isArray(earlier) ? [...earlier, ...(value as string[])] : value);
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
    case "token":
      if (!/^[\x21-\x7e]+$/.test(raw) || raw.length < MIN_TOKEN_LENGTH) {
        throw new ConfigError(`${source} must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces`);
      }
      return raw;
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${source} must be true or false, not ${JSON.stringify(raw)}`);
    case "port":
      return integer(raw, source, 0, 65_535);
    case "integer":
      return integer(raw, source, spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER);
    case "origins":
      return list(raw, source, (entry) => normalizeOrigin(entry), "an origin like https://example.com");
    case "sites":
      return list(raw, source, (entry) => normalizeSite(entry), "a host name like example.com");
  }
}

function list(raw: string, source: string, normalize: (entry: string) => string | null, expected: string): string[] {
  return raw.split(",").map((entry) => {
    const value = normalize(entry.trim());
    if (!value || value === "null") throw new ConfigError(`${source}: ${JSON.stringify(entry.trim())} is not ${expected}`);
    return value;
  });
}

function integer(raw: string, source: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${source} must be a whole number, not ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${source} must be between ${min} and ${max}, not ${value}`);
  return value;
}

function freeze(command: Config["command"], values: Map<Key, unknown>): Readonly<Config> {
  const config: Record<string, unknown> = { command };
  for (const spec of OPTIONS) {
    const value = values.has(spec.key) ? values.get(spec.key) : spec.default;
    config[spec.key] = Array.isArray(value) ? Object.freeze([...new Set(value)]) : value;
  }
  return Object.freeze(config) as unknown as Config;
}

export function helpText(): string {
  const rows = OPTIONS.map((spec) => {
    const value = spec.kind === "boolean" ? "" : ` ${VALUE_NAMES[spec.kind]}`;
    const fallback = spec.default === null || (Array.isArray(spec.default) && spec.default.length === 0) ? "none" : String(spec.default);
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
