import { ConfigError, parseOptions, type OptionSpec } from "./cli/options.ts";
import { availableParallelism } from "node:os";
import { DEFAULT_MAX_SITES } from "./core/stats/hub.ts";
import { DEFAULT_MAX_MEMORY_MB, MIN_VISITOR_MEMORY, SITE_BYTES, visitorMemory } from "./core/stats/visitor-budget.ts";

export { ConfigError };

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
  /** Store page and referrer URLs with their query strings; by default only the path and the campaign parameters. */
  keepQuery: boolean;
  /** The access token; null: generated on first start and kept in the data directory. */
  token: string | null;
  /** Sites whose dashboard anyone may read. */
  publicSites: readonly string[];
  /** Sites that may be ingested; empty: any, up to maxSites. */
  sites: readonly string[];
  maxSites: number;
  /** MB each process may give its live figures; past it new visitors are counted approximately. */
  maxMemory: number;
  /** Ingest events per second per client address (one per site a request names); 0: no limit. */
  rateLimit: number;
  /** Open dashboards without the token per client address; 0: no limit. */
  maxDashboardsPerIp: number;
  /** Sites whose pages may embed the live widget; "*" for every site. */
  liveSites: readonly string[];
  /** Seconds between a widget topic's frames, at most (a frame only when its count changed). */
  liveInterval: number;
  /** Open live-widget sockets per client address; 0: no limit. */
  maxWidgetsPerIp: number;
  metricsPublic: boolean;
  /** Server processes sharing the port; 1 is a single process, more adds a supervising primary. */
  workers: number;
  /** Redis that joins this node to others (the exchange, the pace, the salts); null: a node of its own. */
  redis: string | null;
  /** PostgreSQL that keeps the events instead of the data directory's SQLite (shared by nodes joined by Redis); null: SQLite. */
  database: string | null;
}

type Key = keyof Omit<Config, "command">;

const env = (name: string) => [`PULSE_${name}`];

export const SERVE_OPTIONS: Array<OptionSpec<Key>> = [
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
    flag: "keep-query",
    key: "keepQuery",
    kind: "boolean",
    env: env("KEEP_QUERY"),
    default: false,
    help: "store page and referrer URLs with their query strings (default: the path, and the utm_*/ref/source parameters in their own fields; a query string can carry tokens)",
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
    default: DEFAULT_MAX_SITES,
    min: 1,
    max: 1_000_000,
    help: `sites with live figures at once, when --sites is not given (each may take ${SITE_BYTES / 1024 / 1024} MiB of --max-memory); events for further sites are still stored`,
  },
  {
    flag: "max-memory",
    key: "maxMemory",
    kind: "integer",
    env: env("MAX_MEMORY"),
    default: DEFAULT_MAX_MEMORY_MB,
    min: 16,
    max: 1_000_000,
    help: "MB of memory each server process may give its live figures; past it, new visitors are counted approximately (about 3% off)",
  },
  {
    flag: "rate-limit",
    key: "rateLimit",
    kind: "integer",
    env: env("RATE_LIMIT"),
    default: 0,
    min: 0,
    max: 1_000_000,
    help: "ingest events per second per client address, one per site a request names, answered 429 beyond (0: off; behind a proxy, needs --trust-proxy)",
  },
  {
    flag: "max-dashboards-per-ip",
    key: "maxDashboardsPerIp",
    kind: "integer",
    env: env("MAX_DASHBOARDS_PER_IP"),
    // Enough for an office or a school behind one address; a flood needs many addresses.
    default: 100,
    min: 0,
    max: 1_000_000,
    help: "open dashboards without the access token (public sites) per client address, an IPv6 /64 counting as one; 429 beyond (0: off; the token holder's are not counted)",
  },
  {
    flag: "live-site",
    key: "liveSites",
    kind: "sites",
    wildcard: true,
    env: env("LIVE_SITE"),
    default: [],
    help: "a site whose pages may embed the live widget (/js/live.js), '*' for every site (repeatable; comma-separated in the variable)",
  },
  {
    flag: "live-interval",
    key: "liveInterval",
    kind: "number",
    env: env("LIVE_INTERVAL"),
    default: 5,
    min: 0.1,
    max: 3600,
    help: "seconds between live-widget frames, at most: a count is sent only when it changed",
  },
  {
    flag: "max-widgets-per-ip",
    key: "maxWidgetsPerIp",
    kind: "integer",
    env: env("MAX_WIDGETS_PER_IP"),
    // A widget is a tab: a school or a mobile carrier's shared address may hold many of them.
    default: 1000,
    min: 0,
    max: 1_000_000,
    help: "open live-widget sockets per client address, an IPv6 /64 counting as one; 429 beyond (0: off)",
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
  {
    flag: "workers",
    key: "workers",
    kind: "integer",
    env: env("WORKERS"),
    default: availableParallelism(),
    min: 1,
    max: 256,
    help: "server processes sharing the port, supervised by a primary that stores events (default: the number of cores, 1 with --database alone; 1: one process)",
  },
  {
    flag: "redis",
    key: "redis",
    kind: "redis-url",
    env: [...env("REDIS_URL"), "REDIS_URL"],
    default: null,
    help: "join the nodes that share this Redis 7 or Valkey (redis://[user:password@]host:port[/db]): every node shows every node's events; see docs/deploy.md",
  },
  {
    flag: "database",
    key: "database",
    kind: "postgres-url",
    env: [...env("DATABASE_URL"), "DATABASE_URL"],
    default: null,
    help: "keep events in this PostgreSQL 15+ (postgres://user:password@host:5432/db) instead of SQLite in --data; nodes joined by --redis share it",
  },
];

const COMMANDS = ["serve", "loadtest", "help", "version"] as const;

/** The command a command line names (serve when none), and the arguments after it. */
export function splitCommand(argv: readonly string[]): { command: (typeof COMMANDS)[number]; rest: string[] } {
  if (argv.some((arg) => arg === "--help" || arg === "-h")) return { command: "help", rest: [] };
  if (argv.some((arg) => arg === "--version" || arg === "-v")) return { command: "version", rest: [] };
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("--")) return { command: "serve", rest: [...argv] };
  if (!COMMANDS.includes(first as (typeof COMMANDS)[number])) {
    throw new ConfigError(`unknown command ${JSON.stringify(first)} (commands: ${COMMANDS.join(", ")})`);
  }
  return { command: first as (typeof COMMANDS)[number], rest };
}

/** The server's options, from the arguments after `serve` and PULSE_* variables. */
export function parseConfig(argv: readonly string[], variables: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const { command, rest } = splitCommand(argv);
  if (command === "loadtest") throw new ConfigError("parseConfig reads serve options; loadtest has its own");
  const options = parseOptions(SERVE_OPTIONS, command === "serve" ? rest : [], variables);
  const given = { ...options } as unknown as Omit<Config, "command">;
  // A single process writes to PostgreSQL; workers do with --redis, through their primary.
  if (given.database !== null && given.redis === null) {
    const workersGiven = rest.some((arg) => arg === "--workers" || arg.startsWith("--workers=")) || Boolean(variables.PULSE_WORKERS);
    if (!workersGiven) given.workers = 1;
    else if (given.workers > 1) throw new ConfigError("--database without --redis runs one process: leave out --workers (or give 1), or join the processes with --redis");
  }
  const config = Object.freeze({ command, ...given }) as unknown as Config;
  refuseMemoryTooSmall(config);
  return config;
}

/** The sites that may have live data at once: those listed with --sites, else --max-sites. */
export function liveSiteCap(config: Pick<Config, "sites" | "maxSites">): number {
  return config.sites.length > 0 ? config.sites.length : config.maxSites;
}

const MB = 1024 * 1024;

function refuseMemoryTooSmall(config: Config): void {
  const sites = liveSiteCap(config);
  if (visitorMemory(config.maxMemory * MB, sites) >= MIN_VISITOR_MEMORY) return;
  const needed = Math.ceil((sites * SITE_BYTES + MIN_VISITOR_MEMORY) / MB);
  throw new ConfigError(
    `--max-memory ${config.maxMemory} MB is too little for ${sites} sites: each may take ${SITE_BYTES / 1024} KiB and visitors need ${MIN_VISITOR_MEMORY / MB} MB; give --max-memory at least ${needed} or fewer sites`,
  );
}
