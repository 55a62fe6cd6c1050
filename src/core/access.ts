import { createHash, timingSafeEqual } from "node:crypto";

export const TOKEN_COOKIE = "pulse_token";

/**
 * Compares a presented token with the real one in constant time: both are hashed first, so
 * neither the content nor the length of the token leaks through timing.
 */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (!candidate) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

/** The token a request presents: `Authorization: Bearer …` (tools) or the session cookie (browsers). */
export function presentedToken(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return bearer;
  return cookie(headers.get("cookie"), TOKEN_COOKIE);
}

function cookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals === -1 || part.slice(0, equals).trim() !== name) continue;
    // Anyone can send a malformed escape ("%zz"): that is no token, not a 500.
    try {
      return decodeURIComponent(part.slice(equals + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** The cookie a browser keeps after trading the token in the URL: invisible to scripts, never sent cross-site. */
export function sessionCookie(token: string, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${365 * 86_400}`];
  if (secure) attributes.push("Secure");
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; ${attributes.join("; ")}`;
}

/** 32 random bytes, URL-safe: what a new installation is protected with. */
export function generateToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
