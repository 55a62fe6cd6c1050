import type { Campaign } from "../ingest/accepted-event.ts";
import type { Chunk } from "./hit-log.ts";
import { ENGAGEMENT, PAGEVIEW, type Hit } from "./site-stats.ts";

/** A pageview's campaign or a custom event's properties (which, the hit's name tells): the event's own object, not a copy. */
export type HitExtra = Campaign | Record<string, string>;

/**
 * What keeping a campaign or properties in a hit log costs: two array slots, the object, and its
 * keys and values (strings of 2 bytes a character at worst, a header each, the property's slot);
 * an upper bound.
 */
export function extraBytes(extra: HitExtra): number {
  let bytes = 16 + 64;
  const fields = extra as Record<string, string>;
  for (const key in fields) bytes += 64 + 2 * (key.length + fields[key]!.length);
  return bytes;
}

/** What a view shows of a hit besides its labels: a pageview's campaign, a custom event's properties. */
export function extraOf(hit: Hit): HitExtra | undefined {
  if (hit.name === PAGEVIEW) return hit.campaign;
  if (hit.name === ENGAGEMENT) return undefined;
  for (const _ in hit.props) return hit.props;
  return undefined;
}

/** The campaign or properties of the hit at place i of a chunk, if it carries any: a binary search of the few places that do. */
export function extraAt(chunk: Chunk, i: number): HitExtra | undefined {
  const places = chunk.extraAt;
  let low = 0;
  let high = places.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const place = places[middle]!;
    if (place === i) return chunk.extras[middle];
    if (place < i) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}
