import { describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { helpText } from "../src/cli/help.ts";
import { ConfigError, parseConfig, SERVE_OPTIONS } from "../src/config.ts";
import { LOADTEST_OPTIONS } from "../src/loadtest/options.ts";

/** The message parseConfig refuses `argv` with (empty if it does not). */
function refusal(argv: string[]): string {
  try {
    parseConfig(argv, {});
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("parseConfig", () => {
  test("defaults", () => {
    expect(parseConfig([], {})).toEqual({
      command: "serve",
      port: 3000,
      host: "0.0.0.0",
      tickMs: 250,
      allowOrigins: [],
      trustProxy: false,
      geoip: null,
      data: "./pulse-data",
      retentionDays: 30,
      keepQuery: false,
      token: null,
      publicSites: [],
      sites: [],
      maxSites: 100,
      maxMemory: 192,
      rateLimit: 0,
      maxDashboardsPerIp: 100,
      liveSites: [],
      liveInterval: 5,
      maxWidgetsPerIp: 1000,
      metricsPublic: false,
      workers: availableParallelism(),
      redis: null,
      database: null,
    });
  });

  test("--redis: a Redis URL, never quoted back; workers as without it", () => {
    const joined = parseConfig(["--redis", "redis://user:s3cret@10.0.0.5:6380/2"], {});
    expect(joined.redis).toBe("redis://user:s3cret@10.0.0.5:6380/2");
    expect(joined.workers).toBe(availableParallelism());
    expect(parseConfig([], { REDIS_URL: "rediss://cache.internal:6379" }).redis).toBe("rediss://cache.internal:6379");
    expect(parseConfig(["--redis", "redis://r:6379", "--workers", "4"], {}).workers).toBe(4);
    for (const bad of ["http://r:6379", "r:6379", "redis://:pw@/0", "not a url s3cret"]) {
      const message = refusal(["--redis", bad]);
      expect(message).toMatch(/^--redis must be a Redis URL/);
      expect(message).not.toContain("s3cret");
    }
  });

  test("--database: a PostgreSQL URL, never quoted back; one process unless told otherwise", () => {
    const given = parseConfig(["--database", "postgres://pulse:s3cret@db.internal:5432/pulse"], {});
    expect(given.database).toBe("postgres://pulse:s3cret@db.internal:5432/pulse");
    expect(given.workers).toBe(1);
    expect(parseConfig([], { DATABASE_URL: "postgresql://db/pulse" }).database).toBe("postgresql://db/pulse");
    for (const bad of ["mysql://u:s3cret@db/pulse", "db:5432", "postgres:///pulse"]) {
      const message = refusal(["--database", bad]);
      expect(message).toMatch(/^--database must be a PostgreSQL URL/);
      expect(message).not.toContain("s3cret");
    }
    expect(() => parseConfig(["--database", "postgres://db/pulse", "--workers", "2"], {})).toThrow(/^--database without --redis runs one process/);
    expect(parseConfig(["--database", "postgres://db/pulse", "--redis", "redis://r:6379", "--workers", "2"], {}).workers).toBe(2);
  });

  test("--workers: the number of cores by default, 1 for a single process", () => {
    expect(parseConfig(["--workers", "1"], {}).workers).toBe(1);
    expect(parseConfig([], { PULSE_WORKERS: "6" }).workers).toBe(6);
    expect(() => parseConfig(["--workers", "0"], {})).toThrow(ConfigError);
  });

  test("--max-memory: MB for the live figures of each process; it must leave visitors room once every site has its share", () => {
    expect(parseConfig(["--max-memory", "512"], {}).maxMemory).toBe(512);
    expect(parseConfig([], { PULSE_MAX_MEMORY: "200" }).maxMemory).toBe(200);
    expect(() => parseConfig(["--max-memory", "0"], {})).toThrow(ConfigError);
    expect(() => parseConfig(["--max-memory", "lots"], {})).toThrow(ConfigError);
    // 1,000 sites may take 1 MiB each: 192 MB leaves nothing for visitors.
    expect(() => parseConfig(["--max-sites", "1000"], {})).toThrow(/--max-memory 192 MB.*1000 sites.*at least 1008/);
    expect(parseConfig(["--max-sites", "1000", "--max-memory", "1008"], {}).maxSites).toBe(1000);
    // With --sites, the sites listed are the ones that count.
    expect(() => parseConfig(["--max-memory", "16"], { PULSE_SITES: "a.example,b.example" })).not.toThrow();
    expect(() => parseConfig(["--max-memory", "16"], {})).toThrow(ConfigError);
  });

  test("flags in both forms, repeatable origins, and flags over variables", () => {
    const config = parseConfig(
      ["serve", "--port", "8080", "--tick-ms=100", "--allow-origin", "https://a.test", "--allow-origin=https://b.test:8443", "--trust-proxy"],
      { PORT: "9999", PULSE_TICK_MS: "500", PULSE_TRUST_PROXY: "false" },
    );
    expect(config).toMatchObject({ port: 8080, tickMs: 100, allowOrigins: ["https://a.test", "https://b.test:8443"], trustProxy: true });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test("every option as a PULSE_* variable", () => {
    expect(
      parseConfig([], {
        PULSE_PORT: "4000",
        PULSE_HOST: "127.0.0.1",
        PULSE_TICK_MS: "1000",
        PULSE_ALLOW_ORIGIN: "https://a.test, https://b.test",
        PULSE_TRUST_PROXY: "1",
        PULSE_GEOIP: "/var/lib/GeoLite2-Country.mmdb",
        PULSE_DATA: "/var/lib/pulse",
        PULSE_RETENTION_DAYS: "90",
        PULSE_KEEP_QUERY: "true",
        PULSE_TOKEN: "0123456789abcdef-secret",
        PULSE_PUBLIC_SITE: "Blog.Example",
        PULSE_SITES: "a.example, b.example",
        PULSE_MAX_SITES: "5",
        PULSE_MAX_MEMORY: "256",
        PULSE_RATE_LIMIT: "20",
        PULSE_MAX_DASHBOARDS_PER_IP: "50",
        PULSE_METRICS_PUBLIC: "yes",
      }),
    ).toMatchObject({
      geoip: "/var/lib/GeoLite2-Country.mmdb",
      data: "/var/lib/pulse",
      retentionDays: 90,
      keepQuery: true,
      token: "0123456789abcdef-secret",
      publicSites: ["blog.example"],
      sites: ["a.example", "b.example"],
      maxSites: 5,
      maxMemory: 256,
      rateLimit: 20,
      maxDashboardsPerIp: 50,
      metricsPublic: true, port: 4000, host: "127.0.0.1", tickMs: 1000, allowOrigins: ["https://a.test", "https://b.test"], trustProxy: true });
  });

  test("--help and --version", () => {
    expect(parseConfig(["--help"], {}).command).toBe("help");
    expect(parseConfig(["--version"], {}).command).toBe("version");
    const flags = ["--port", "--host", "--tick-ms", "--allow-origin", "--trust-proxy", "--geoip", "--data", "--retention-days", "--keep-query", "--token"];
    for (const flag of [...flags, "--public-site", "--sites", "--max-sites", "--max-memory", "--rate-limit", "--max-dashboards-per-ip", "--metrics-public"]) expect(helpText(SERVE_OPTIONS, LOADTEST_OPTIONS)).toContain(flag);
    expect(helpText(SERVE_OPTIONS, LOADTEST_OPTIONS)).toContain("default 250");
  });

  test.each([
    [["--bogus"], "unknown option --bogus (see pulse --help)"],
    [["--port", "http"], '--port must be a whole number, not "http"'],
    [["--port", "70000"], "--port must be between 0 and 65535, not 70000"],
    [["--tick-ms", "1"], "--tick-ms must be between 10 and 10000, not 1"],
    [["--port"], "--port needs a value"],
    [["--allow-origin", "nope"], '--allow-origin: "nope" is not an origin like https://example.com'],
    [["--trust-proxy=maybe"], '--trust-proxy must be true or false, not "maybe"'],
    [["launch"], 'unknown command "launch" (commands: serve, loadtest, help, version)'],
    [["--token", "short"], "--token must be at least 16 printable characters without spaces"],
    [["--sites", "a.example,not a site"], '--sites: "not a site" is not a host name like example.com'],
    [["--retention-days", "0"], "--retention-days must be between 1 and 36500, not 0"],
  ])("%p is rejected with a clear message", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(new ConfigError(message));
  });

  test("a bad variable names the variable", () => {
    expect(() => parseConfig([], { PULSE_TICK_MS: "fast" })).toThrow('PULSE_TICK_MS must be a whole number, not "fast"');
  });
});

test("list options repeat and drop duplicates", () => {
  expect(parseConfig(["--public-site", "a.example", "--public-site=b.example,a.example"], {}).publicSites).toEqual(["a.example", "b.example"]);
});

describe("live widget options", () => {
  test("--live-site repeats, takes '*' for every site, and refuses what is not a host name", () => {
    expect(parseConfig(["--live-site", "Shop.Example", "--live-site", "*"], {}).liveSites).toEqual(["shop.example", "*"]);
    expect(parseConfig([], { PULSE_LIVE_SITE: "a.example,b.example" }).liveSites).toEqual(["a.example", "b.example"]);
    expect(() => parseConfig(["--live-site", "not a site"], {})).toThrow('--live-site: "not a site" is not a host name like example.com or *');
    expect(() => parseConfig(["--sites", "*"], {})).toThrow('--sites: "*" is not a host name like example.com');
  });

  test("--live-interval is in seconds, within bounds", () => {
    expect(parseConfig(["--live-interval", "0.5"], {}).liveInterval).toBe(0.5);
    expect(() => parseConfig(["--live-interval", "0"], {})).toThrow("--live-interval must be between 0.1 and 3600, not 0");
    expect(() => parseConfig(["--live-interval", "5s"], {})).toThrow('--live-interval must be a number, not "5s"');
    expect(parseConfig(["--max-widgets-per-ip", "0"], {}).maxWidgetsPerIp).toBe(0);
  });
});
