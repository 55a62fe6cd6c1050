/**
 * Whether a value from outside this process has the shape of an AcceptedEvent: what storage writes
 * is checked with it, and what arrives from another machine (the Redis bus) is, before anything
 * reads it, so a malformed or foreign event is refused with a reason instead of throwing later.
 */
import type { AcceptedEvent } from "./accepted-event.ts";

const TEXT_FIELDS = ["site", "name", "url", "path", "referrer", "source", "browser", "os", "device", "country"] as const;
const CAMPAIGN_FIELDS = ["source", "medium", "campaign", "content", "term", "ref"] as const;
const PRESENCE_STATES = new Set(["here", "gone", "held", "released"]);

/** What is wrong with `value` as an accepted event, or null when nothing is. */
export function eventProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "an event must be an object";
  const event = value as Partial<Record<keyof AcceptedEvent, unknown>>;
  if (!Number.isSafeInteger(event.time)) return `an event's time must be an integer, not ${String(event.time)}`;
  if (!Number.isSafeInteger(event.visitor)) return `an event's visitor must be an integer, not ${String(event.visitor)}`;
  for (const field of TEXT_FIELDS) {
    if (typeof event[field] !== "string") return `an event's ${field} must be a string, not ${String(event[field])}`;
  }
  const props = event.props;
  if (typeof props !== "object" || props === null || Array.isArray(props)) return "an event's props must be an object";
  for (const key in props) if (typeof (props as Record<string, unknown>)[key] !== "string") return `an event's prop ${key} must be a string`;
  const campaign = event.campaign as Record<string, unknown> | undefined;
  if (campaign !== undefined && (typeof campaign !== "object" || campaign === null || !CAMPAIGN_FIELDS.every((field) => typeof campaign[field] === "string"))) {
    return "an event's campaign must be six strings (source, medium, campaign, content, term, ref)";
  }
  if (event.tab !== undefined && typeof event.tab !== "string") return "an event's tab must be a string";
  if (event.presence !== undefined && !PRESENCE_STATES.has(event.presence as string)) return `an event's presence must be here, gone, held or released`;
  return null;
}
