/**
 * How fast the SQLite event store writes and reads back, in the shape the server uses it: one
 * batch per tick (4 ticks/s at 1,000 events each), a since() at start-up, range() for CSV export.
 * Run: npx bun bench/storage.ts [events] [batch]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEvent } from "../src/storage/event-store.ts";
import { openSqliteStore } from "../src/storage/sqlite-store.ts";

const total = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 1_000);
const tickMs = 250;
const start = Date.UTC(2025, 0, 1);

const sites = ["shop.example", ...Array.from({ length: 49 }, (_, i) => `site${i}.example`)];
const paths = ["/", "/pricing", "/blog/how-we-count-visitors", "/docs/getting-started", "/wines/chateau-d-yquem-2001"];
const sources = [["https://www.google.com/", "Google"], ["", "Direct / None"], ["https://news.ycombinator.com/", "Hacker News"]] as const;

/** Deterministic, varied events: half on one big site, one in ten with props. */
function event(i: number, time: number): StoredEvent {
  const path = paths[i % paths.length] ?? "/";
  const [referrer, source] = sources[i % sources.length] ?? ["", "Direct / None"];
  return {
    time,
    site: i % 2 === 0 ? "shop.example" : (sites[i % sites.length] ?? "shop.example"),
    name: i % 10 === 0 ? "Signup" : "pageview",
    visitor: (i * 2_654_435_761) % 2 ** 48,
    url: `https://shop.example${path}?utm_campaign=winter`,
    path,
    referrer,
    source,
    browser: i % 3 === 0 ? "Chrome" : "Firefox",
    os: i % 4 === 0 ? "iOS" : "Windows",
    device: i % 4 === 0 ? "Mobile" : "Desktop",
    country: i % 5 === 0 ? "DE" : "FR",
    props: i % 10 === 0 ? { plan: "pro", referrer_name: "Château « test »" } : {},
  };
}

const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
  Array.from({ length: Math.min(batchSize, total - b * batchSize) }, (_, k) => event(b * batchSize + k, start + b * tickMs)),
);

function timed<T>(work: () => T): [T, number] {
  const began = Bun.nanoseconds();
  const result = work();
  return [result, (Bun.nanoseconds() - began) / 1e9];
}

function drain(events: Iterable<StoredEvent>): number {
  let n = 0;
  for (const _event of events) n++;
  return n;
}

const rate = (n: number, seconds: number) => `${Math.round(n / seconds).toLocaleString("en")} events/s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const directory = mkdtempSync(join(tmpdir(), "pulse-bench-"));
const file = join(directory, "events.db");
try {
  const store = openSqliteStore(file);
  const [, appendSeconds] = timed(() => {
    for (const batch of batches) store.append(batch);
  });
  const [sinceCount, sinceSeconds] = timed(() => drain(store.since(start)));
  const [rangeCount, rangeSeconds] = timed(() => drain(store.range({ site: "shop.example", from: start })));
  // Like the start-up restore: only the newest events, which since() must find without reading the rest.
  const newestTenth = start + Math.floor(batches.length * 0.9) * tickMs;
  const [recentCount, recentSeconds] = timed(() => drain(store.since(newestTenth)));
  const [, countSeconds] = timed(() => store.count());
  const walBytes = sizeOf(`${file}-wal`);
  store.close();

  const line = (label: string, value: string) => console.log(`${label.padEnd(40)}${value}`);
  line("events, batch size", `${total.toLocaleString("en")} in batches of ${batchSize.toLocaleString("en")}`);
  line("append", `${rate(total, appendSeconds)} (${((appendSeconds / batches.length) * 1e3).toFixed(2)} ms per batch)`);
  line(`since (all, ${sinceCount.toLocaleString("en")})`, rate(sinceCount, sinceSeconds));
  line(`since (newest tenth, ${recentCount.toLocaleString("en")})`, `${rate(recentCount, recentSeconds)} (${(recentSeconds * 1e3).toFixed(1)} ms)`);
  line(`range (one site, ${rangeCount.toLocaleString("en")})`, rate(rangeCount, rangeSeconds));
  line("count()", `${(countSeconds * 1e3).toFixed(2)} ms`);
  line("db file (after close) / WAL before", `${mb(sizeOf(file))} (${Math.round(sizeOf(file) / total)} bytes/event) / ${mb(walBytes)}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
