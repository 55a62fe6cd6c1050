/**
 * Stores the events of nodes joined by Redis in the PostgreSQL they share, each once, by one
 * writer: whichever node holds the archive's lease reads the exchange's stream from where the
 * database says the last writer stopped, and stores each page of batches with the new position in
 * one transaction (PostgresStore.appendFromStream), only if the position has not moved meanwhile.
 * A node that dies mid-write leaves the position where it was; the next holder goes on from there.
 *
 * While the database is away, what is not stored yet waits in the stream, which keeps the last 31
 * minutes (STREAM_HISTORY_MS): the node keeps its place and stores it when the database answers. A
 * stream that was trimmed past that place (the database away longer, or Redis restarted empty) has
 * lost events for the store: that is logged, never silent.
 */
import { RedisClient } from "bun";
import { controlEntryOf, entryOf, parseBatch } from "../bus/redis-bus.ts";
import type { Metrics } from "../core/metrics.ts";
import { RedisLease } from "../control/redis-lease.ts";
import { PacedClient } from "../bus/redis-reconnect.ts";
import type { StoredEvent } from "./event-store.ts";
import type { PostgresStore } from "./postgres-store.ts";
import { StorageHealth } from "./storage-health.ts";

/** Entries read and stored per transaction. */
const PAGE_ENTRIES = 1_000;
const LEASE_MS = 5_000;

export interface StreamArchiverOptions {
  /** Redis, and the exchange's stream key. */
  url: string;
  stream: string;
  node: string;
  store: PostgresStore;
  metrics: Metrics;
  /** How often the holder looks for new entries: the exchange's tick. */
  intervalMs: number;
  log?: (line: string) => void;
}

export class StreamArchiver {
  private readonly client: RedisClient;
  private readonly paced: PacedClient;
  private readonly lease: RedisLease;
  private readonly health: StorageHealth;
  private readonly log: (line: string) => void;
  /** The last entry stored, as the database said it when this node took the lease (null: none ever). */
  private position: string | null | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private saidTrimmed = false;

  constructor(private readonly options: StreamArchiverOptions) {
    this.log = options.log ?? console.error;
    this.client = new RedisClient(options.url, { autoReconnect: false, enableOfflineQueue: false });
    this.paced = new PacedClient(this.client);
    this.lease = new RedisLease(this.client, `${options.stream}:archive`, options.node, LEASE_MS);
    this.health = new StorageHealth(options.metrics, this.log, 0, Date.now, "in the exchange's stream, up to its last 31 minutes");
  }

  start(): void {
    this.timer = setInterval(() => void this.step(), this.options.intervalMs);
  }

  /** One pass: takes or keeps the lease and stores what the stream holds past the position. */
  step(): Promise<void> {
    this.running ??= this.storeNew().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    try {
      await this.lease.release();
    } catch {
      // Redis away: the lease expires by itself.
    }
    this.client.close();
  }

  private async storeNew(): Promise<void> {
    if (this.stopped) return;
    // Redis away (undefined): nothing new can be read meanwhile.
    const held = await this.paced.run(() => this.lease.hold());
    if (!held) {
      if (held === false) this.position = undefined;
      return;
    }
    try {
      this.position ??= await this.options.store.streamPosition(this.options.stream);
      await this.checkTrimmed();
      while (!this.stopped && (await this.storePage())) {}
    } catch (error) {
      this.options.metrics.storageErrors++;
      this.health.failed(new Error(this.options.store.describe(error)), 0);
    }
  }

  /** Stores the next page of entries; true if there may be more. */
  private async storePage(): Promise<boolean> {
    const { stream, store, metrics } = this.options;
    const from = this.position === null || this.position === undefined ? "-" : `(${this.position}`;
    const entries = (await this.client.send("XRANGE", [stream, from, "+", "COUNT", String(PAGE_ENTRIES)])) as Array<[string, string[]]> | null;
    if (!entries || entries.length === 0) return false;
    const events: StoredEvent[] = [];
    for (const [, fields] of entries) {
      if (controlEntryOf(fields)) continue;
      const entry = entryOf(fields);
      const batch = "error" in entry ? entry : parseBatch(entry.events);
      // The bus skips and counts what it cannot read; the store skips the same.
      if ("error" in batch) continue;
      // Presence signals ride the exchange but are not events.
      for (const event of batch) if (event.presence === undefined) events.push(event);
    }
    const to = entries.at(-1)![0];
    if (!(await store.appendFromStream(stream, this.position ?? null, to, events))) {
      // Another writer moved the position: go on from where it is now.
      this.position = await store.streamPosition(stream);
      return true;
    }
    this.position = to;
    metrics.storedEvents += events.length;
    this.health.succeeded(0);
    return entries.length === PAGE_ENTRIES;
  }

  /** Says once if entries past the position were trimmed before they were stored. */
  private async checkTrimmed(): Promise<void> {
    if (this.position === null || this.position === undefined || this.saidTrimmed) return;
    const info = (await this.client.send("XINFO", ["STREAM", this.options.stream])) as Record<string, unknown> | unknown[] | null;
    const fields = Array.isArray(info) ? Object.fromEntries(pairs(info)) : (info ?? {});
    const deleted = String((fields as Record<string, unknown>)["max-deleted-entry-id"] ?? "0-0");
    if (compareIds(deleted, this.position) > 0) {
      this.saidTrimmed = true;
      this.log(`pulse: the exchange's stream was trimmed past the last event stored (${this.position}): events accepted meanwhile are shown but not stored`);
    }
  }
}

function pairs(list: unknown[]): Array<[string, unknown]> {
  const result: Array<[string, unknown]> = [];
  for (let i = 0; i + 1 < list.length; i += 2) result.push([String(list[i]), list[i + 1]]);
  return result;
}

/** Stream ids "ms-seq", compared as numbers. */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
