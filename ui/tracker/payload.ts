/** The body of one event, with the short keys of Plausible's script (see docs/tracker.md). */
import { isRouteHash } from "./navigation.ts";

export interface Payload {
  n: string;
  u: string;
  d: string;
  r: string | null;
  p?: Record<string, unknown>;
  h?: 1;
  tz: string;
}

export function buildPayload(
  name: string,
  props: Record<string, unknown> | undefined,
  domain: string,
  location: { href: string; hash: string },
  referrer: string,
  timeZone: string,
): Payload {
  const payload: Payload = { n: name, u: location.href, d: domain, r: referrer || null, tz: timeZone };
  if (props && Object.keys(props).length) payload.p = props;
  if (isRouteHash(location.hash)) payload.h = 1;
  return payload;
}
