/** Frames for the UI tests, built from small overrides. */
import type { FeedItem, SitesFrame, SnapshotFrame, Stats, TickFrame } from "../../src/core/wire/protocol.ts";
import { emptyStats } from "../../ui/view-model.ts";

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
/** The sequence the fixtures' frames belong to: the tick that started it, an hour before T0. */
export const EPOCH = T0 - 3_600_000;

export function feedItem(path: string, t = T0, overrides: Partial<FeedItem> = {}): FeedItem {
  return { t, n: "pageview", p: path, s: "Direct / None", d: "Desktop", b: "Chrome", o: "Linux", c: "FR", ...overrides };
}

export function stats(overrides: Partial<Stats> = {}): Stats {
  return { ...emptyStats(), ...overrides };
}

export function snapshot(overrides: Partial<SnapshotFrame> = {}): SnapshotFrame {
  return { type: "snapshot", site: "shop.test", seq: 10, epoch: EPOCH, time: T0, stats: stats(), feed: [], ...overrides };
}

export function tick(seq: number, overrides: Partial<TickFrame> = {}): TickFrame {
  return { type: "tick", site: "shop.test", seq, epoch: EPOCH, time: T0 + seq * 1000, changed: {}, feed: [], more: 0, ...overrides };
}

export function sites(overrides: Partial<SitesFrame> = {}): SitesFrame {
  return { type: "sites", time: T0, sites: [], more: 0, ...overrides };
}
