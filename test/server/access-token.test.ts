import { describe, expect, test } from "bun:test";
import {
  generateToken,
  isValidToken,
  issueSession,
  presentedCredentials,
  SESSION_MAX_AGE_S,
  sessionCookies,
  sessionValid,
  tokenMatches,
} from "../../src/server/access.ts";

const TOKEN = "secret-token-1234";
const NOW = Date.UTC(2026, 10, 30, 12);

describe("access", () => {
  test("tokenMatches compares exactly, whatever the lengths", () => {
    expect(tokenMatches("secret-token-1234", TOKEN)).toBe(true);
    expect(tokenMatches("secret-token-1235", TOKEN)).toBe(false);
    expect(tokenMatches("secret", TOKEN)).toBe(false);
    expect(tokenMatches("", TOKEN)).toBe(false);
    expect(tokenMatches(null, TOKEN)).toBe(false);
  });

  test("a token is 16 or more printable characters without spaces", () => {
    expect(isValidToken("0123456789abcdef")).toBe(true);
    expect(isValidToken(generateToken())).toBe(true);
    expect(isValidToken("0123456789abcde")).toBe(false);
    expect(isValidToken("0123456789 abcdef")).toBe(false);
    expect(isValidToken("ab cd")).toBe(false);
    expect(isValidToken("")).toBe(false);
    expect(isValidToken("0123456789abcdefé")).toBe(false);
  });

  test("presentedCredentials reads a Bearer header and the session cookie", () => {
    expect(presentedCredentials(new Headers({ authorization: "Bearer abc123" }))).toEqual({ bearer: "abc123", session: null });
    expect(presentedCredentials(new Headers({ authorization: "Basic abc123" }))).toEqual({ bearer: null, session: null });
    expect(presentedCredentials(new Headers({ cookie: "a=1; pulse_session=xyz%2F9; b=2" }))).toEqual({ bearer: null, session: "xyz/9" });
    expect(presentedCredentials(new Headers({ cookie: "pulse_token=old" }))).toEqual({ bearer: null, session: null });
    // A malformed cookie is no session, not an error.
    expect(presentedCredentials(new Headers({ cookie: "pulse_session=%E0%A4%A" })).session).toBeNull();
  });

  test("a session verifies with the token it was issued with, for its lifetime only", () => {
    const session = issueSession(TOKEN, NOW);
    expect(session).not.toContain(TOKEN);
    expect(issueSession(TOKEN, NOW)).not.toBe(session);
    expect(sessionValid(session, TOKEN, NOW)).toBe(true);
    expect(sessionValid(session, TOKEN, NOW + SESSION_MAX_AGE_S * 1000 - 1000)).toBe(true);
    expect(sessionValid(session, TOKEN, NOW + SESSION_MAX_AGE_S * 1000)).toBe(false);
    // Issued by a process whose clock is a little ahead: taken; far ahead: not.
    expect(sessionValid(session, TOKEN, NOW - 30_000)).toBe(true);
    expect(sessionValid(session, TOKEN, NOW - 3_600_000)).toBe(false);
    expect(sessionValid(session, "secret-token-1235", NOW)).toBe(false);
  });

  test("a forged or damaged session is refused", () => {
    const [issued, nonce, mac] = issueSession(TOKEN, NOW).split(".") as [string, string, string];
    const later = (Number.parseInt(issued, 36) + 86_400).toString(36);
    for (const forged of [
      `${later}.${nonce}.${mac}`,
      `${issued}.${nonce}x.${mac}`,
      `${issued}.${nonce}.${mac.slice(0, -2)}`,
      `${issued}.${nonce}.`,
      `${issued}.${nonce}`,
      `${issued}.${nonce}.${mac}.x`,
      `-1.${nonce}.${mac}`,
      TOKEN,
      "",
      null,
    ]) {
      expect(sessionValid(forged, TOKEN, NOW)).toBe(false);
    }
  });

  test("the session cookie is HttpOnly, SameSite=Strict, Secure over HTTPS; the old token cookie is deleted", () => {
    expect(sessionCookies("s", false)).toEqual([
      "pulse_session=s; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000",
      "pulse_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
    ]);
    expect(sessionCookies("s", true).every((cookie) => cookie.includes("; Secure"))).toBe(true);
  });

  test("generated tokens are long, URL-safe and different", () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });
});
