/**
 * A flood of fresh visitors across many sites at once: every request has a User-Agent never seen
 * before and names 10 sites, so each is 10 new (site, visitor) entries for the live figures.
 */
import type { Rng } from "./generators.ts";

export const FLOOD_SITES = Array.from({ length: 12 }, (_, i) => `flood-${i}.test`);
export const FLOOD_DOMAINS_PER_REQUEST = 10;

export interface FloodRequest {
  userAgent: string;
  sites: string[];
  body: string;
}

/** Request `n` of the flood: a real browser's User-Agent with a version of its own, 10 sites drawn at random. */
export function floodRequest(rng: Rng, n: number): FloodRequest {
  const userAgent = rng.chance(0.5)
    ? `Mozilla/5.0 (X11; Linux x86_64; rv:${n}.0) Gecko/20100101 Firefox/${n}.0`
    : `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (n % 30)}.0.${n}.${rng.int(1000)} Safari/537.36`;
  const sites = [...FLOOD_SITES];
  for (let i = sites.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [sites[i], sites[j]] = [sites[j]!, sites[i]!];
  }
  const chosen = sites.slice(0, FLOOD_DOMAINS_PER_REQUEST);
  const body = JSON.stringify({ n: "pageview", u: `https://${chosen[0]}/landing/${rng.int(500)}`, d: chosen.join(","), r: rng.chance(0.3) ? "https://www.google.com/" : undefined });
  return { userAgent, sites: chosen, body };
}
