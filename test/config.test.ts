import { describe, expect, test } from "bun:test";
import { ConfigError, helpText, parseConfig } from "../src/config.ts";

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
    });
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
      }),
    ).toMatchObject({
      geoip: "/var/lib/GeoLite2-Country.mmdb", port: 4000, host: "127.0.0.1", tickMs: 1000, allowOrigins: ["https://a.test", "https://b.test"], trustProxy: true });
  });

  test("--help and --version", () => {
    expect(parseConfig(["--help"], {}).command).toBe("help");
    expect(parseConfig(["--version"], {}).command).toBe("version");
    for (const flag of ["--port", "--host", "--tick-ms", "--allow-origin", "--trust-proxy", "--geoip"]) expect(helpText()).toContain(flag);
    expect(helpText()).toContain("default 250");
  });

  test.each([
    [["--bogus"], "unknown option --bogus (see pulse --help)"],
    [["--port", "http"], '--port must be a whole number, not "http"'],
    [["--port", "70000"], "--port must be between 0 and 65535, not 70000"],
    [["--tick-ms", "1"], "--tick-ms must be between 10 and 10000, not 1"],
    [["--port"], "--port needs a value"],
    [["--allow-origin", "nope"], '--allow-origin: "nope" is not an origin like https://example.com'],
    [["--trust-proxy=maybe"], '--trust-proxy must be true or false, not "maybe"'],
    [["launch"], 'unknown command "launch" (commands: serve, help, version)'],
  ])("%p is rejected with a clear message", (argv, message) => {
    expect(() => parseConfig(argv, {})).toThrow(new ConfigError(message));
  });

  test("a bad variable names the variable", () => {
    expect(() => parseConfig([], { PULSE_TICK_MS: "fast" })).toThrow('PULSE_TICK_MS must be a whole number, not "fast"');
  });
});
