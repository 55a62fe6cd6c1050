import { presentedCredentials, sessionValid, tokenMatches } from "./access.ts";

/** Who may read what, from the config. */
export interface AccessPolicy {
  token: string;
  /** Sites whose dashboard anyone may read. */
  publicSites: readonly string[];
  metricsPublic: boolean;
}

/** Whether the request carries the token as a Bearer header, or a session cookie issued with it. */
export function isAuthorized(request: Request, policy: AccessPolicy): boolean {
  const { bearer, session } = presentedCredentials(request.headers);
  return tokenMatches(bearer, policy.token) || sessionValid(session, policy.token, Date.now());
}

/** May this request read `site`'s realtime data? With the token, any site; without, public ones. */
export function maySee(request: Request, policy: AccessPolicy, site: string | null): boolean {
  return isAuthorized(request, policy) || (site !== null && policy.publicSites.includes(site));
}

/**
 * The visitor's address, for the visitor hash and per-address limits only. Behind a trusted proxy
 * it is the last X-Forwarded-For entry: the address the proxy itself saw, which a client cannot forge.
 */
export function clientAddress(request: Request, socketAddress: string, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return socketAddress;
}
