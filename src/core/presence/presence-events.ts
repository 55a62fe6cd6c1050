import { PRESENCE_EVENT, type AcceptedEvent } from "../ingest/accepted-event.ts";
import { ENGAGEMENT, PAGEVIEW } from "../stats/site-stats.ts";
import type { PresenceSignal } from "./presence-counts.ts";
import { Presence } from "./presence.ts";

/**
 * Moves the tab an event from the bus speaks of. A presence signal moves it and is nothing more:
 * true, and the caller neither records nor stores it. Any other event from Pulse's tracker (it
 * carries a tab id) says the tab is there, on the event's page. Plausible's script sends no tab id:
 * its pageviews and engagements keep the visitor present on that page, as one tab per visitor
 * and page, which expires by the TTL.
 */
export function applyPresence(presence: Presence, event: AcceptedEvent): boolean {
  const { tab } = event;
  if (event.presence !== undefined) {
    if (tab !== undefined) presence.signal(event.time, event.site, tab, event.path, event.presence);
    return true;
  }
  if (tab !== undefined) presence.signal(event.time, event.site, tab, event.path, "here");
  // A key no tracker's id can be (those are letters and digits only).
  else if (event.name === PAGEVIEW || event.name === ENGAGEMENT) presence.signal(event.time, event.site, `${event.visitor}|${event.path}`, event.path, "here");
  return false;
}

/**
 * What a process that starts rebuilds from, out of batches the exchange kept (Redis): their events,
 * and the tabs present as of `now`, as the signals that make them again (signals are never stored).
 */
export function replayedHistory(batches: Iterable<readonly AcceptedEvent[]>, now: number): { events: AcceptedEvent[]; presence: PresenceSignal[] } {
  const presence = new Presence();
  const events: AcceptedEvent[] = [];
  for (const batch of batches) for (const event of batch) if (!applyPresence(presence, event)) events.push(event);
  presence.advance(now);
  return { events, presence: presence.signalsNow() };
}

/**
 * A signal the server itself makes (a live-widget socket held or released) as the event that
 * carries it over the bus, so that every process applies it in the same order as the rest.
 */
export function presenceEvent(signal: PresenceSignal): AcceptedEvent {
  const { time, site, tab, page, state } = signal;
  return { time, site, name: PRESENCE_EVENT, visitor: 0, url: "", path: page, referrer: "", source: "", browser: "", os: "", device: "", country: "", props: {}, tab, presence: state };
}
