import type { AcceptedEvent } from "../core/accepted-event.ts";
import type { Metrics } from "../core/metrics.ts";
import type { EventStore } from "./event-store.ts";

/** Events kept for a store that keeps failing, before the oldest are given up (about 4 minutes at 1,000/s). */
const MAX_PENDING = 250_000;

/**
 * Events written in one transaction by `drain`, before the next turn of the event loop: at 25,000
 * events a second a tick holds about 6,000, whose one transaction would hold up requests for some
 * 15 ms; in chunks, requests are answered in between.
 */
export const DRAIN_CHUNK = 1000;

/**
 * Accepted events wait here until the next tick writes them in one transaction: requests never
 * wait for the disk, and a crash loses at most one tick of events. When the store is failing,
 * events wait for the next tick (up to MAX_PENDING).
 */
export class WriteBuffer {
  private pending: AcceptedEvent[] = [];
  private draining = false;

  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
    private readonly log: (line: string) => void = console.error,
    /** Runs the rest of a drain on a later turn of the event loop. */
    private readonly later: (next: () => void) => void = setImmediate,
  ) {}

  add(event: AcceptedEvent): void {
    this.pending.push(event);
  }

  /** Writes everything pending now (at shutdown, or where a caller must see it stored). */
  flush(): void {
    this.write(this.pending.length);
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
      // The store may have refused everything (it is down): the rest waits for the next tick.
      if (this.pending.length > 0 && this.write(DRAIN_CHUNK) && this.pending.length > 0) this.later(step);
      else this.draining = false;
    };
    step();
  }

  /** Writes up to `limit` of the oldest pending events; false if the store refused them all and they wait. */
  private write(limit: number): boolean {
    const batch = this.pending.length <= limit ? this.pending : this.pending.slice(0, limit);
    this.pending = batch === this.pending ? [] : this.pending.slice(limit);
    if (batch.length === 0) return true;
    try {
      this.store.append(batch);
      this.metrics.storedEvents += batch.length;
      return true;
    } catch (error) {
      this.metrics.storageErrors++;
      this.log(`pulse: storing ${batch.length} events failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // One bad event must not hold back the rest forever: store them one by one, drop those the
    // store refuses; if it refuses them all, the store itself is failing, so they wait, first in line.
    const refused = batch.filter((event) => !this.tryAppend(event));
    this.metrics.storedEvents += batch.length - refused.length;
    if (refused.length < batch.length) {
      if (refused.length > 0) this.log(`pulse: dropped ${refused.length} events storage refused`);
      return true;
    }
    this.pending = batch.concat(this.pending);
    if (this.pending.length > MAX_PENDING) {
      this.log(`pulse: storage is failing; giving up the oldest ${this.pending.length - MAX_PENDING} events`);
      this.pending = this.pending.slice(-MAX_PENDING);
    }
    return false;
  }

  private tryAppend(event: AcceptedEvent): boolean {
    try {
      this.store.append([event]);
      return true;
    } catch {
      return false;
    }
  }

  get size(): number {
    return this.pending.length;
  }
}
