/**
 * What presence costs in memory: heap and RSS per tab with the tab budget full (MAX_PRESENCE_TABS
 * tabs with 16-character ids, each on a page of its own over 100 sites: the worst case, every
 * page an entry of its own until the page cap). Bounded: it fills the budget once and stops.
 * Run: bun --smol bench/presence-memory.ts
 */
import { MAX_PRESENCE_TABS, Presence } from "../src/core/presence/presence.ts";

function heap(): number {
  Bun.gc(true);
  return process.memoryUsage().heapUsed;
}

function id(n: number): string {
  return `t${n.toString(36).padStart(15, "0")}`;
}

const presence = new Presence();
const beforeHeap = heap();
const beforeRss = process.memoryUsage().rss;
const T0 = Date.now();
for (let i = 0; i < MAX_PRESENCE_TABS; i++) presence.signal(T0, `site-${i % 100}.example`, id(i), `/page-${i % 1000}`, "here");
const heapPerTab = (heap() - beforeHeap) / MAX_PRESENCE_TABS;
const rssPerTab = (process.memoryUsage().rss - beforeRss) / MAX_PRESENCE_TABS;
console.log(`${MAX_PRESENCE_TABS} tabs, ${presence.present} present: ${heapPerTab.toFixed(0)} B heap, ${rssPerTab.toFixed(0)} B RSS per tab`);
