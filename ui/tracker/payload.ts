/** The body of one event, with the short keys of Plausible's script (see docs/tracker.md). */

export interface Payload {
  n: string;
  u: string;
  d: string;
  r: string | null;
  p?: Record<string, unknown>;
  h?: 1;
  tz: string;
  /** The tab id (presence.ts). */
  t: string;
}

/** One event; `route` is the URL's route (routeOf): when there is one, `h` tells the server to count it in the path. */
export const buildPayload = (
  name: string,
  props: Record<string, unknown> | undefined,
  domain: string,
  tab: string,
  href: string,
  route: string | undefined,
  referrer: string,
  timeZone: string,
): Payload => {
  // In the order of a presence signal's body (index.ts): the text they share compresses away.
  const payload: Payload = { n: name, u: href, d: domain, t: tab, r: referrer || null, tz: timeZone };
  if (props && Object.keys(props).length) payload.p = props;
  if (route) payload.h = 1;
  return payload;
};
