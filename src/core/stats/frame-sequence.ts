import { encodeSnapshotFrame, encodeTickFrame } from "../wire/frame-encoder.ts";
import type { Stats, StatsSection } from "../wire/protocol.ts";
import type { ViewFilters, ViewWindow } from "../wire/view-filters.ts";
import type { SiteStats } from "./site-stats.ts";
import type { PresentFigures } from "../presence/present-figures.ts";

/** What a topic's frames are about: a site, or a view of it (filters, a window other than 30 minutes). */
export interface FrameHead {
  site: string;
  filters?: ViewFilters;
  window?: ViewWindow;
}

/** A topic's last published tick. */
export interface Published {
  /** Which sequence `seq` counts in (see SnapshotFrame.epoch). */
  epoch: number;
  seq: number;
  time: number;
  stats: Stats;
  /** Each section as last sent, to send only what changed. */
  sections: Map<StatsSection, string>;
  snapshot?: string;
}

/**
 * The next tick of a topic whose figures are `stats`: only the sections that changed since
 * `previous`, and the pending feed (taken), with what presence adds to them. Undefined when nothing changed.
 */
export function nextTick(
  head: FrameHead,
  previous: Published | undefined,
  stats: SiteStats,
  time: number,
  epochOf: () => number,
  present?: PresentFigures,
): { published: Published; frame: string } | undefined {
  const full = stats.stats(time);
  present?.(full);
  const { feed, more } = stats.takePending();
  const sections = sectionsOf(full);
  const changed: Partial<Record<StatsSection, unknown>> = {};
  for (const [key, json] of sections) if (previous?.sections.get(key) !== json) changed[key] = full[key];
  if (Object.keys(changed).length === 0 && feed.length === 0 && more === 0) return undefined;
  // A topic seen for the first time, or again after it was forgotten, starts a new sequence: its
  // first tick carries every section, so a dashboard can take it as a baseline.
  const epoch = previous?.epoch ?? epochOf();
  const seq = (previous?.seq ?? 0) + 1;
  const published = { epoch, seq, time, stats: full, sections };
  return { published, frame: encodeTickFrame({ ...head, epoch, seq, time, changed: changed as Partial<Stats> }, feed, more) };
}

/**
 * The first tick of a topic whose figures were worked out before its SiteStats could go on (a view
 * whose visitors load after its first snapshot): the baseline the next `nextTick` sends changes to.
 */
export function firstPublished(full: Stats, time: number, epoch: number): Published {
  return { epoch, seq: 1, time, stats: full, sections: sectionsOf(full) };
}

function sectionsOf(full: Stats): Map<StatsSection, string> {
  const sections = new Map<StatsSection, string>();
  for (const key of Object.keys(full) as StatsSection[]) sections.set(key, JSON.stringify(full[key]));
  return sections;
}

/** The snapshot of a topic as of its last tick, encoded once per tick and kept on `published`. */
export function publishedSnapshot(head: FrameHead, published: Published, stats: SiteStats | undefined): string {
  published.snapshot ??= encodeSnapshotFrame(
    { ...head, epoch: published.epoch, seq: published.seq, time: published.time, stats: published.stats },
    stats?.recentFeed() ?? [],
  );
  return published.snapshot;
}
