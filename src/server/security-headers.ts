import { createHash } from "node:crypto";

/** Every answer but ingest's: a browser takes its content type as given, never guesses one. */
export const NOSNIFF = "nosniff";

/**
 * The headers of the dashboard's own pages (the dashboard and its sign-in page): scripts, styles
 * and connections from this server only (the dashboard has no inline script), never framed by
 * another site, and no Referer sent on from an address that may still carry `?token=`.
 * `inlineStyles` are the <style> elements the pages hold, allowed by their hash.
 */
export function pageHeaders(inlineStyles: readonly string[]): Record<string, string> {
  const hashes = inlineStyles.map((style) => ` 'sha256-${createHash("sha256").update(style).digest("base64")}'`).join("");
  return {
    "content-security-policy": [
      "default-src 'none'",
      "script-src 'self'",
      `style-src 'self'${hashes}`,
      // The favicon is a data: URL.
      "img-src 'self' data:",
      // The dashboard's WebSocket, to this server.
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": NOSNIFF,
    "referrer-policy": "no-referrer",
  };
}
