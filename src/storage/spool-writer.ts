/**
 * Accepted events on their way to a store that answers asynchronously (PostgreSQL): they wait in a
 * bounded spool in memory and each tick's drain writes them, a chunk per statement, one statement
 * at a time, so requests are never held up by the database. While the database is away (stopped,
 * restarting, unreachable) they keep waiting, first in line, and are written when it answers again;
 * past `maxPending` the oldest are given up, counted and logged. An event the store could never
 * take (a value it cannot hold) is set aside at once, counted and logged, and never holds up the
 * rest. What the operator sees is StorageHealth's, as with SQLite: /healthz, the log, /metrics.
 */
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import { eventProblem } from "../core/ingest/event-shape.ts";
import type { Metrics } from "../core/metrics.ts";
import type { AsyncEventStore } from "./event-store.ts";
import { StorageHealth, describeFailure } from "./storage-health.ts";

/** Events kept while the database is away, before the oldest are given up (about 4 minutes at 1,000/s). */
export const MAX_SPOOLED = 250_000;
/** Events per statement: a few hundred kilobytes of COPY. */
export const SPOOL_CHUNK = 5_000;

export class SpoolWriter {
  private pending: AcceptedEvent[] = [];
  private writing: Promise<void> | undefined;
  private readonly health: StorageHealth;
  private readonly maxPending: number;

  constructor(
    private readonly store: AsyncEventStore,
    private readonly metrics: Metrics,
    log: (line: string) => void = console.error,
    options: { maxPending?: number; now?: () => number; describe?: (error: unknown) => string } = {},
  ) {
    this.maxPending = options.maxPending ?? MAX_SPOOLED;
    this.health = new StorageHealth(metrics, log, this.maxPending, options.now);
    this.describe = options.describe ?? describeFailure;
  }

  private readonly describe: (error: unknown) => string;

  add(event: AcceptedEvent): void {
    const problem = eventProblem(event);
    if (problem) return this.health.dropped("refused", 1, problem);
    this.pending.push(event);
    if (this.pending.length > this.maxPending) {
      const excess = this.pending.length - this.maxPending;
      this.pending = this.pending.slice(excess);
      this.health.dropped("backlog", excess, "the database has not taken events for too long");
    }
    this.metrics.storagePending = this.pending.length;
  }

  /** Starts writing what waits, unless a write is under way (it goes on to what came meanwhile). */
  drain(): void {
    this.writing ??= this.writeAll().finally(() => (this.writing = undefined));
  }

  /** Resolves once everything waiting has been written, or the database failed to take it. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.pending.length > 0) {
      this.drain();
      await this.writing;
    }
  }

  /** At shutdown: writes what it can; what the database still does not take is given up, counted and told. */
  async close(): Promise<void> {
    await this.flush();
    if (this.pending.length === 0) return;
    this.health.givenUpAtStop(this.pending.length);
    this.pending = [];
    this.metrics.storagePending = 0;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Writes chunk after chunk until nothing waits, or stops at the first failure (the rest waits for the next drain). */
  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const chunk = this.pending.slice(0, SPOOL_CHUNK);
      try {
        await this.store.append(chunk);
      } catch (error) {
        this.metrics.storageErrors++;
        this.health.failed(new Error(this.describe(error)), this.pending.length);
        return;
      }
      // Added meanwhile went after: the chunk is still at the front.
      this.pending = this.pending.slice(chunk.length);
      this.metrics.storedEvents += chunk.length;
      this.metrics.storagePending = this.pending.length;
      this.health.succeeded(this.pending.length);
    }
  }
}
