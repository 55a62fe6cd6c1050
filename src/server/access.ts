import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "pulse_session";
/** Where earlier versions kept the token itself: cleared when a browser signs in. */
const OLD_TOKEN_COOKIE = "pulse_token";
/** A session lasts this long after it was issued; each dashboard page load issues a fresh one. */
export const SESSION_MAX_AGE_S = 30 * 86_400;
/** A session issued this far in the future (another process's clock) is still taken. */
const CLOCK_SKEW_MS = 60_000;

export const MIN_TOKEN_LENGTH = 16;
/** What a token must be, as the error messages say it. */
export const TOKEN_RULE = `at least ${MIN_TOKEN_LENGTH} printable characters without spaces`;

/** Whether `text` may be a token: --token, PULSE_TOKEN and the token file follow the same rule. */
export function isValidToken(text: string): boolean {
  return text.length >= MIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(text);
}

/**
 * Compares a presented token with the real one in constant time: both are hashed first, so
 * neither the content nor the length of the token leaks through timing.
 */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (!candidate) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

/** What a request presents: `Authorization: Bearer …` (tools) and the session cookie (browsers). */
export function presentedCredentials(headers: Headers): { bearer: string | null; session: string | null } {
  const authorization = headers.get("authorization");
  return { bearer: authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null, session: cookie(headers.get("cookie"), SESSION_COOKIE) };
}

function cookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals === -1 || part.slice(0, equals).trim() !== name) continue;
    // Anyone can send a malformed escape ("%zz"): that is no session, not a 500.
    try {
      return decodeURIComponent(part.slice(equals + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * A session: `<issued>.<nonce>.<mac>`, the time it was issued (seconds, base 36), a random nonce,
 * and an HMAC-SHA256 of both keyed by the token. It reveals nothing of the token, every process
 * holding the token verifies it without sharing anything else, and changing the token revokes
 * every session at once.
 */
export function issueSession(token: string, now: number): string {
  const body = `${Math.floor(now / 1000).toString(36)}.${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("base64url")}`;
  return `${body}.${sessionMac(token, body).toString("base64url")}`;
}

/** Whether `session` was issued with this token less than SESSION_MAX_AGE_S ago; the MAC is compared in constant time. */
export function sessionValid(session: string | null, token: string, now: number): boolean {
  const parts = session?.split(".");
  if (parts?.length !== 3 || !/^[0-9a-z]{1,10}$/.test(parts[0]!)) return false;
  const issued = Number.parseInt(parts[0]!, 36) * 1000;
  if (issued > now + CLOCK_SKEW_MS || now - issued >= SESSION_MAX_AGE_S * 1000) return false;
  const expected = sessionMac(token, `${parts[0]}.${parts[1]}`);
  const presented = Buffer.from(parts[2]!, "base64url");
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function sessionMac(token: string, body: string): Buffer {
  return createHmac("sha256", token).update(`pulse-session.${body}`).digest();
}

/**
 * The cookies a browser gets for a session: invisible to scripts, never sent cross-site, Secure
 * over HTTPS; and the token-bearing cookie of earlier versions, deleted.
 */
export function sessionCookies(session: string, secure: boolean): string[] {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict"];
  if (secure) attributes.push("Secure");
  return [`${SESSION_COOKIE}=${session}; ${[...attributes, `Max-Age=${SESSION_MAX_AGE_S}`].join("; ")}`, `${OLD_TOKEN_COOKIE}=; ${[...attributes, "Max-Age=0"].join("; ")}`];
}

/** 32 random bytes, URL-safe: what a new installation is protected with. */
export function generateToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
