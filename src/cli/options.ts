import { isValidToken, TOKEN_RULE } from "../server/access.ts";
import { normalizeSite } from "../core/ingest/event-input.ts";
import { normalizeOrigin } from "../server/origin.ts";

/** A bad flag or variable: the CLI prints the message on one line and exits with code 2. */
export class ConfigError extends Error {}

export type Kind = "port" | "integer" | "number" | "string" | "url" | "redis-url" | "postgres-url" | "boolean" | "origins" | "sites" | "token";

export interface OptionSpec<Key extends string = string> {
  flag: string;
  key: Key;
  kind: Kind;
  env: string[];
  default: unknown;
  help: string;
  min?: number;
  max?: number;
  /** A list of sites that may be "*": every site. */
  wildcard?: boolean;
}

const LIST_KINDS = new Set<Kind>(["origins", "sites"]);
const VALUE_NAMES: Record<Kind, string> = {
  port: "N",
  integer: "N",
  number: "N",
  string: "TEXT",
  url: "URL",
  "redis-url": "URL",
  "postgres-url": "URL",
  boolean: "",
  origins: "ORIGIN",
  sites: "DOMAIN",
  token: "TOKEN",
};

/**
 * Reads options from flags (`--name value`, `--name=value`, bare `--flag` for booleans) over
 * environment variables over defaults, validating each with a message that names its source.
 * Returns a frozen record; lists are deduplicated.
 */
export function parseOptions<Key extends string>(
  specs: ReadonlyArray<OptionSpec<Key>>,
  argv: readonly string[],
  variables: Readonly<Record<string, string | undefined>>,
): Readonly<Record<Key, unknown>> {
  const values = new Map<Key, unknown>();
  for (const spec of specs) {
    const name = spec.env.find((variable) => variables[variable] !== undefined && variables[variable] !== "");
    if (name) values.set(spec.key, parseValue(spec, variables[name]!, name));
  }
  const fromFlags = new Map<Key, unknown>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (see pulse --help)`);
    const [flag, inline] = splitFlag(arg.slice(2));
    const spec = specs.find((option) => option.flag === flag);
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
  const result: Record<string, unknown> = {};
  for (const spec of specs) {
    const value = values.has(spec.key) ? values.get(spec.key) : spec.default;
    result[spec.key] = Array.isArray(value) ? Object.freeze([...new Set(value)]) : value;
  }
  return Object.freeze(result) as Readonly<Record<Key, unknown>>;
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
    case "url": {
      const url = URL.canParse(raw) ? new URL(raw) : null;
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        throw new ConfigError(`${source} must be an http(s) URL like http://localhost:3000, not ${JSON.stringify(raw)}`);
      }
      return url.origin;
    }
    case "redis-url": {
      // Never quoted back: the URL may hold a password.
      const url = URL.canParse(raw) ? new URL(raw) : null;
      if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "") {
        throw new ConfigError(`${source} must be a Redis URL like redis://[user:password@]host:6379[/db] (rediss:// for TLS)`);
      }
      return url.href;
    }
    case "postgres-url": {
      const url = URL.canParse(raw) ? new URL(raw) : null;
      if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:") || url.hostname === "") {
        throw new ConfigError(`${source} must be a PostgreSQL URL like postgres://user:password@host:5432/pulse`);
      }
      return url.href;
    }
    case "token":
      if (!isValidToken(raw)) throw new ConfigError(`${source} must be ${TOKEN_RULE}`);
      return raw;
    case "boolean":
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${source} must be true or false, not ${JSON.stringify(raw)}`);
    case "port":
      return integer(raw, source, 0, 65_535);
    case "integer":
      return integer(raw, source, spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER);
    case "number": {
      const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      if (Number.isNaN(value)) throw new ConfigError(`${source} must be a number, not ${JSON.stringify(raw)}`);
      if (value < (spec.min ?? 0) || value > (spec.max ?? Number.MAX_VALUE)) {
        throw new ConfigError(`${source} must be between ${spec.min ?? 0} and ${spec.max}, not ${value}`);
      }
      return value;
    }
    case "origins":
      return list(raw, source, (entry) => normalizeOrigin(entry), "an origin like https://example.com");
    case "sites":
      return list(raw, source, (entry) => (spec.wildcard && entry === "*" ? "*" : normalizeSite(entry)), `a host name like example.com${spec.wildcard ? " or *" : ""}`);
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

/** One option per entry: flag, value name, help, variable and default. */
export function optionsHelp(specs: readonly OptionSpec[]): string[] {
  return specs.map((spec) => {
    const value = spec.kind === "boolean" ? "" : ` ${VALUE_NAMES[spec.kind]}`;
    const fallback = spec.default === null || (Array.isArray(spec.default) && spec.default.length === 0) ? "none" : String(spec.default);
    return `  --${spec.flag}${value}\n      ${spec.help}\n      env ${spec.env.join(" or ")}; default ${fallback}`;
  });
}
