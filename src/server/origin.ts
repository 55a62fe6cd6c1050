/**
 * Cross-site WebSocket hijacking defence: browsers always send Origin on a WebSocket upgrade, so a
 * page on another site cannot open a dashboard socket unless its origin is the server's own or
 * one the operator allowed. A missing Origin is refused too.
 */
export function isAllowedOrigin(origin: string | null, ownOrigin: string, allowed: readonly string[]): boolean {
  if (!origin) return false;
  const normalized = normalizeOrigin(origin);
  return normalized !== null && (normalized === ownOrigin || allowed.includes(normalized));
}

/**
 * The origin a browser sees for this server: scheme, host and port of the request. Behind a
 * trusted proxy the proxy's X-Forwarded-Proto and X-Forwarded-Host say what the browser used.
 */
export function serverOrigin(url: URL, headers: Headers, trustProxy: boolean): string {
  let protocol = url.protocol;
  let host = headers.get("host") ?? url.host;
  if (trustProxy) {
    const forwardedProto = firstValue(headers.get("x-forwarded-proto"));
    const forwardedHost = firstValue(headers.get("x-forwarded-host"));
    if (forwardedProto === "https" || forwardedProto === "http") protocol = `${forwardedProto}:`;
    if (forwardedHost) host = forwardedHost;
  }
  return normalizeOrigin(`${protocol}//${host}`) ?? `${protocol}//${host}`;
}

/** `scheme://host[:port]` with default ports dropped and case folded, or null if not an origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

function firstValue(header: string | null): string | undefined {
  return header?.split(",")[0]?.trim() || undefined;
}

/**
 * Whether a form POST comes from a page of this server, as the browser tells it: Sec-Fetch-Site
 * (sent over HTTPS and to localhost), else Origin (`null` from a page whose referrer policy is
 * no-referrer). Browsers send Origin with every POST, so a request naming neither is refused.
 */
export function isOwnPagePost(headers: Headers, ownOrigin: string): boolean {
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null) return fetchSite === "same-origin";
  const origin = headers.get("origin");
  return origin !== null && normalizeOrigin(origin) === ownOrigin;
}
