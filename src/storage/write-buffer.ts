import type { AcceptedEvent } from "../core/accepted-event.ts";
import type { Metrics } from "../core/metrics.ts";
import type { EventStore } from "./event-store.ts";

/** Events kept for a store that keeps failing, before the oldest are given up (about 4 minutes at 1,000/s). */
const MAX_PENDING = 250_000;

/**
 * Accepted events wait here until the next tick writes them in one transaction: requests never
 * wait for the disk, and a crash loses at most one tick of events. When the store is failing,
 * events wait for the next tick (up to MAX_PENDING).
 */
export class WriteBuffer {
  private pending: AcceptedEvent[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
    private readonly log: (line: string) => void = console.error,
  ) {}

  add(event: AcceptedEvent): void {
    this.pending.push(event);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    try {
      this.store.append(batch);
      this.metrics.storedEvents += batch.length;
      this.pending = [];
      return;
    } catch (error) {
      this.metrics.storageErrors++;
      this.log(`pulse: storing ${batch.length} events failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // One bad event must not hold back the rest forever: store them one by one, drop those the
    // store refuses; if it refuses them all, the store itself is failing, so keep them for the next tick.
    const refused = batch.filter((event) => !this.tryAppend(event));
    this.metrics.storedEvents += batch.length - refused.length;
    if (refused.length < batch.length) {
      if (refused.length > 0) this.log(`pulse: dropped ${refused.length} events storage refused`);
      this.pending = [];
    } else if (batch.length > MAX_PENDING) {
      this.log(`pulse: storage is failing; giving up the oldest ${batch.length - MAX_PENDING} events`);
      this.pending = batch.slice(-MAX_PENDING);
    }
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
