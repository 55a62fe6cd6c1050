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
  /** The full page URL as sent. */
  url: string;
  /** The page as counted (path, plus the hash for hash routes), cut to 100 characters. */
  path: string;
  /** The referrer URL as sent, or "". */
  referrer: string;
  source: string;
  browser: string;
  os: string;
  device: string;
  country: string;
  props: Record<string, string>;
}
