import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import type { Metrics } from "../core/metrics.ts";
import type { EventStore } from "./event-store.ts";
import { StorageHealth, describeFailure, refusedForItself } from "./storage-health.ts";

/** Events kept for a store that keeps failing, before the oldest are given up (about 4 minutes at 1,000/s). */
const MAX_PENDING = 250_000;

/**
 * Events written in one transaction by `drain`, before the next turn of the event loop: at the
 * ingest ceiling a tick holds several thousand, whose one transaction would hold up requests
 * noticeably; in chunks, requests are answered in between (see docs/benchmarks.md#drain_chunk).
 */
export const DRAIN_CHUNK = 1000;

/**
 * Accepted events wait here until the next tick writes them in one transaction: requests never
 * wait for the disk, and a crash loses at most one tick of events. While the store is failing (a
 * full disk, an I/O error, a lock), events wait for it, up to `maxPending`; only an event the
 * store refuses for itself is dropped. Both are counted and logged, see storage-health.ts.
 */
export class WriteBuffer {
  private pending: AcceptedEvent[] = [];
  private draining = false;
  private readonly health: StorageHealth;
  private readonly maxPending: number;

  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
    log: (line: string) => void = console.error,
    /** Runs the rest of a drain on a later turn of the event loop. */
    private readonly later: (next: () => void) => void = setImmediate,
    options: { maxPending?: number; now?: () => number } = {},
  ) {
    this.maxPending = options.maxPending ?? MAX_PENDING;
    this.health = new StorageHealth(metrics, log, this.maxPending, options.now);
  }

  add(event: AcceptedEvent): void {
    this.pending.push(event);
  }

  /** Writes everything pending now (at shutdown, or where a caller must see it stored), unless the store is failing. */
  flush(): void {
    while (this.pending.length > 0 && this.write(DRAIN_CHUNK));
  }

  /** At shutdown: writes what it can; what the failing store still refuses is given up, counted and told. */
  close(): void {
    this.flush();
    if (this.pending.length === 0) return;
    this.health.givenUpAtStop(this.pending.length);
    this.pending = [];
    this.metrics.storagePending = 0;
  }

  /**
   * Writes everything pending a chunk at a time, one chunk per turn of the event loop: the first
   * at once, the rest after the requests waiting meanwhile. Events added while it runs are
   * written by the same drain; called again before it has finished, it writes everything at once.
   */
  drain(): void {
    // The last tick's drain has not finished (the event loop turns slower than events arrive):
    // catch up now, so events never wait in memory longer than a tick and the backlog cannot grow.
    if (this.draining) return this.flush();
    this.draining = true;
    const step = () => {
      // The store may be failing: the rest waits for the next tick.
      if (this.pending.length > 0 && this.write(DRAIN_CHUNK) && this.pending.length > 0) this.later(step);
      else this.draining = false;
    };
    step();
  }

  /**
   * Writes up to `limit` of the oldest pending events; false if the store is failing and they wait,
   * first in line. While it fails, each attempt is one chunk, so a backlog costs no more to retry.
   */
  private write(limit: number): boolean {
    const batch = this.pending.length <= limit ? this.pending : this.pending.slice(0, limit);
    this.pending = batch === this.pending ? [] : this.pending.slice(limit);
    if (batch.length === 0) return true;
    try {
      this.store.append(batch);
      this.stored(batch.length);
      return true;
    } catch (error) {
      this.metrics.storageErrors++;
      if (!refusedForItself(error)) return this.wait(batch, error);
    }
    // The store refused a value in the batch: store the events one by one, so that only those it
    // refuses for themselves are dropped. Should it start failing meanwhile, the rest waits.
    let refused = 0;
    let why = "";
    for (let i = 0; i < batch.length; i++) {
      try {
        this.store.append([batch[i]!]);
        this.stored(1);
      } catch (error) {
        if (!refusedForItself(error)) {
          if (refused > 0) this.health.dropped("refused", refused, why);
          return this.wait(batch.slice(i), error);
        }
        refused++;
        why = describeFailure(error);
      }
    }
    if (refused > 0) this.health.dropped("refused", refused, why);
    return true;
  }

  private stored(count: number): void {
    this.metrics.storedEvents += count;
    this.metrics.storagePending = this.pending.length;
    this.health.succeeded(this.pending.length);
  }

  private wait(events: AcceptedEvent[], error: unknown): false {
    this.pending = events.concat(this.pending);
    this.health.failed(error, this.pending.length);
    const excess = this.pending.length - this.maxPending;
    if (excess > 0) {
      this.pending = this.pending.slice(excess);
      this.health.dropped("backlog", excess, describeFailure(error));
    }
    this.metrics.storagePending = this.pending.length;
    return false;
  }

  get size(): number {
    return this.pending.length;
  }
}
