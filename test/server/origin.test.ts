import { describe, expect, test } from "bun:test";
import { isAllowedOrigin, serverOrigin } from "../../src/server/origin.ts";

describe("origin checks", () => {
  test("the server's own origin and allowed origins pass; others, null and missing do not", () => {
    const own = "http://localhost:3000";
    expect(isAllowedOrigin("http://localhost:3000", own, [])).toBe(true);
    expect(isAllowedOrigin("HTTP://LOCALHOST:3000", own, [])).toBe(true);
    expect(isAllowedOrigin("http://localhost:3001", own, [])).toBe(false);
    expect(isAllowedOrigin("https://localhost:3000", own, [])).toBe(false);
    expect(isAllowedOrigin("http://evil.test", own, [])).toBe(false);
    expect(isAllowedOrigin("http://evil.test", own, ["http://evil.test"])).toBe(true);
    expect(isAllowedOrigin("null", own, [])).toBe(false);
    expect(isAllowedOrigin(null, own, [])).toBe(false);
  });

  test("own origin comes from the Host header, or from the proxy's headers when trusted", () => {
    const url = new URL("http://10.0.0.5:3000/ws");
    const headers = new Headers({ host: "stats.example:3000", "x-forwarded-proto": "https", "x-forwarded-host": "stats.example" });
    expect(serverOrigin(url, headers, false)).toBe("http://stats.example:3000");
    expect(serverOrigin(url, headers, true)).toBe("https://stats.example");
    expect(serverOrigin(new URL("https://a.test:443/ws"), new Headers(), false)).toBe("https://a.test");
  });
});
