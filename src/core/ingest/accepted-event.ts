import type { PresenceSignal } from "../presence/presence-counts.ts";

/**
 * One accepted event for one site, with everything derived from its request: what storage keeps,
 * what the realtime state is rebuilt from at start, and what export lists. It holds no address.
 */
export interface AcceptedEvent {
  /** Epoch ms when the server accepted it. */
  time: number;
  site: string;
  /** "pageview", "engagement" or a custom event name. */
  name: string;
  /** The keyed visitor hash. */
  visitor: number;
  /**
   * The page URL: origin and path, plus the fragment for hash routes; with --keep-query, also the
   * query string and any fragment. Events stored by older versions hold the URL as sent.
   */
  url: string;
  /** The page as counted (path, plus the hash for hash routes), cut to 100 characters. */
  path: string;
  /** The referrer URL, without its query string and fragment unless --keep-query, or "". */
  referrer: string;
  /** The campaign the landing URL named, if any (absent in events stored by older versions). */
  campaign?: Campaign | undefined;
  /** Where the visit came from, as dashboards show it: utm_source, ref or source, the referrer's host, or "Direct / None". */
  source: string;
  browser: string;
  os: string;
  device: string;
  country: string;
  props: Record<string, string>;
  /** The tracker's id of the browser tab that sent it (docs/protocol.md, "Presence"); never stored. */
  tab?: string | undefined;
  /**
   * Set on a presence signal, and only there: such an event moves its tab (see Presence) and
   * nothing else; it is never stored, recorded as a hit, exported or counted as an event.
   */
  presence?: PresenceSignal["state"] | undefined;
}

/** The name of a presence signal's event (see AcceptedEvent.presence). */
export const PRESENCE_EVENT = "presence";

/** The campaign parameters of a landing URL, each "" when it does not have it. */
export interface Campaign {
  /** utm_source */
  source: string;
  /** utm_medium */
  medium: string;
  /** utm_campaign */
  campaign: string;
  /** utm_content */
  content: string;
  /** utm_term */
  term: string;
  /** `ref`, or else `source`: the short forms sites use in links they share. */
  ref: string;
}
