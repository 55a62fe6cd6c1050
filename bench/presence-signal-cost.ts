/**
 * What applying one presence signal costs (every process applies every signal from the bus): a
 * tab heard from again on its page (heartbeats, engagements), a tab moving pages, and Plausible's
 * pageviews without a tab id (the key made of visitor and page). 50,000 tabs over 200 pages.
 * Run: bun bench/presence-signal-cost.ts
 */
import { Presence } from "../src/core/presence/presence.ts";

const TABS = 50_000;
const N = 2_000_000;
const ids = Array.from({ length: TABS }, (_, i) => `t${i.toString(36).padStart(11, "0")}`);
const pages = Array.from({ length: 200 }, (_, i) => `/page-${i}`);
const T0 = Date.now();

function measure(label: string, apply: (presence: Presence, i: number) => void): void {
  const presence = new Presence();
  for (let i = 0; i < TABS * 2; i++) apply(presence, i);
  const start = performance.now();
  for (let i = 0; i < N; i++) apply(presence, i);
  console.log(`${label}: ${(((performance.now() - start) / N) * 1e6).toFixed(0)} ns a signal`);
}

measure("a tab again on its page", (presence, i) => presence.signal(T0 + i, "shop.example", ids[i % TABS]!, pages[i % 200]!, "here"));
measure("a tab moving pages", (presence, i) => presence.signal(T0 + i, "shop.example", ids[i % TABS]!, pages[(i * 7) % 200]!, "here"));
measure("a Plausible pageview", (presence, i) => presence.signal(T0 + i, "shop.example", `${i % TABS}|${pages[i % 200]}`, pages[i % 200]!, "here"));
