import type { StoredEvent } from "../../src/storage/event-store.ts";

/** A plausible pageview; tests override what they look at. */
export function storedEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    time: 1_700_000_000_000,
    site: "example.com",
    name: "pageview",
    visitor: 123_456_789_012,
    url: "https://example.com/pricing?ref=x",
    path: "/pricing",
    referrer: "https://www.google.com/",
    source: "Google",
    browser: "Firefox",
    os: "Linux",
    device: "Desktop",
    country: "FR",
    props: {},
    ...overrides,
  };
}

/** Drains an iterable into an array of one field, so assertions read as lists. */
export function pluck<K extends keyof StoredEvent>(events: Iterable<StoredEvent>, key: K): Array<StoredEvent[K]> {
  return Array.from(events, (event) => event[key]);
}
