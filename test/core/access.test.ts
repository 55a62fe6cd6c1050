import { describe, expect, test } from "bun:test";
import { generateToken, presentedToken, sessionCookie, tokenMatches } from "../../src/core/access.ts";

describe("access", () => {
  test("tokenMatches compares exactly, whatever the lengths", () => {
    expect(tokenMatches("secret-token-1234", "secret-token-1234")).toBe(true);
    expect(tokenMatches("secret-token-1235", "secret-token-1234")).toBe(false);
    expect(tokenMatches("secret", "secret-token-1234")).toBe(false);
    expect(tokenMatches("", "secret-token-1234")).toBe(false);
    expect(tokenMatches(null, "secret-token-1234")).toBe(false);
  });

  test("presentedToken reads a Bearer header or the session cookie", () => {
    expect(presentedToken(new Headers({ authorization: "Bearer abc123" }))).toBe("abc123");
    expect(presentedToken(new Headers({ authorization: "Basic abc123" }))).toBeNull();
    expect(presentedToken(new Headers({ cookie: "a=1; pulse_token=xyz%2F9; b=2" }))).toBe("xyz/9");
    expect(presentedToken(new Headers())).toBeNull();
    // A malformed cookie is no token, not an error.
    expect(presentedToken(new Headers({ cookie: "pulse_token=%E0%A4%A" }))).toBeNull();
  });

  test("the session cookie is HttpOnly, SameSite=Strict, and Secure over HTTPS", () => {
    expect(sessionCookie("t", false)).toBe("pulse_token=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000");
    expect(sessionCookie("t", true)).toEndWith("; Secure");
  });

  test("generated tokens are long, URL-safe and different", () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });
});
