/**
 * `window.pulse` and the calls made before the script loaded. Sites install this stub first:
 * `window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)}`
 */

export interface EventOptions {
  props?: Record<string, unknown>;
  callback?: () => void;
  /** The page's URL to count instead of its own: only `script.manual.js` reads it, for its pageviews. */
  u?: string;
}

export type Track = ((name: string, options?: EventOptions) => void) & { tab?: string };

/** `window`, where `pulse` is the site's stub, anything else, or nothing yet. */
interface Host {
  pulse?: unknown;
}

/**
 * Installs `track` as `window.pulse`, with the tab id as `window.pulse.tab` (which the live widget
 * reads, so that a tab with both counts once), then replays the queued calls in order.
 */
export const installApi = (host: Host, track: Track, tab: string): void => {
  const queued = (host.pulse as { q?: Parameters<Track>[] } | undefined)?.q || [];
  track.tab = tab;
  // Installed first, so a queued callback that calls pulse() is not lost in a consumed queue.
  host.pulse = track;
  for (const args of queued) track(...args);
};
