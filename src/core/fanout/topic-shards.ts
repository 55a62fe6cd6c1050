import type { Publication } from "../stats/hub.ts";

/**
 * Dashboards per shard of a topic. The transport writes a published frame to every subscriber in
 * one uninterrupted pass of its event loop, so a big site's dashboards on one topic would hold
 * ingest up for a large part of a tick. Split into shards of this size, each pass is short and
 * ingest is answered between them. Shards this small kept ingest's p99 far lower than larger ones
 * did, and no frame came later (see docs/benchmarks.md#shard_subscribers).
 */
export const SHARD_SUBSCRIBERS = 500;

/** Shard 0 is the topic itself: a site with up to SHARD_SUBSCRIBERS dashboards has one topic, as before. */
export function shardTopic(topic: string, shard: number): string {
  return shard === 0 ? topic : `${topic}#${shard}`;
}

/**
 * Which shard of its topic each dashboard subscribes to. Joining fills the first shard with room,
 * so shards stay few and full; O(shards) per join, and a topic has at most a few dozen.
 */
export class TopicShards {
  private readonly counts = new Map<string, number[]>();

  constructor(private readonly shardSize = SHARD_SUBSCRIBERS) {}

  /** Picks a shard for one more subscriber of `topic` and returns its index. */
  join(topic: string): number {
    let counts = this.counts.get(topic);
    if (!counts) this.counts.set(topic, (counts = []));
    let shard = counts.findIndex((count) => count < this.shardSize);
    if (shard === -1) shard = counts.push(0) - 1;
    counts[shard]!++;
    return shard;
  }

  leave(topic: string, shard: number): void {
    const counts = this.counts.get(topic);
    if (!counts || !counts[shard]) return;
    counts[shard]!--;
    while (counts.length > 0 && counts.at(-1) === 0) counts.pop();
    if (counts.length === 0) this.counts.delete(topic);
  }

  /** Whether any dashboard watches `topic`: a filtered view nobody watches is dropped. */
  isWatched(topic: string): boolean {
    return this.counts.has(topic);
  }

  /** Subscribers of each shard of `topic` (empty when nobody watches it). */
  shardsOf(topic: string): readonly number[] {
    return this.counts.get(topic) ?? [];
  }

  /**
   * One frame per topic becomes one publish per shard, packed into passes of at most `shardSize`
   * subscribers (a pass always takes at least one publish). Smallest first, so sites with few
   * dashboards are not kept waiting behind the big one. A topic nobody watches is still published
   * once, to shard 0: it costs a lookup, and a dashboard may be subscribing right now.
   */
  passes(publications: readonly Publication[]): Publication[][] {
    const sends: Array<{ publication: Publication; subscribers: number }> = [];
    for (const { topic, data } of publications) {
      const counts = this.shardsOf(topic);
      if (counts.length === 0) sends.push({ publication: { topic, data }, subscribers: 0 });
      counts.forEach((subscribers, shard) => sends.push({ publication: { topic: shardTopic(topic, shard), data }, subscribers }));
    }
    sends.sort((a, b) => a.subscribers - b.subscribers);
    const passes: Publication[][] = [];
    let current: Publication[] = [];
    let load = 0;
    for (const { publication, subscribers } of sends) {
      if (current.length > 0 && load + subscribers > this.shardSize) {
        passes.push(current);
        current = [];
        load = 0;
      }
      current.push(publication);
      load += subscribers;
    }
    if (current.length > 0) passes.push(current);
    return passes;
  }
}
