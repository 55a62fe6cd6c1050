/**
 * Bun runs timers and immediates only between bursts of socket work: while requests keep coming
 * faster than a process answers them, they can wait for seconds (see docs/benchmarks.md#loopturns),
 * and with them the tick, the fan-out between shard passes and, in a worker, the batches it owes
 * the primary. Requests are still answered meanwhile, so each one is reported here: once an
 * immediate is overdue, a request answered is a turn of the event loop as good, and work whose
 * timer is late can run from there.
 */
/** An immediate this late is being starved: an idle loop runs one within a millisecond. */
export const IMMEDIATE_OVERDUE_MS = 50;

export class LoopTurns {
  private waiting: Array<() => void> = [];
  /** When the first of `waiting` began to wait (Date.now()). */
  private waitingSince = 0;
  private readonly lateChecks: Array<(time: number) => void> = [];

  /**
   * Resolves at the next turn of the event loop: an immediate, or, once that is overdue, a request
   * answered. Not at once on a request: requests answered in the same turn as the wait began
   * would let a fan-out write all its passes in one turn, which the passes are there to prevent.
   */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length > 1) return;
      this.waitingSince = Date.now();
      setImmediate(() => this.turned());
    });
  }

  /** `check` runs on every request with its time, to start work its timer is late with. */
  onRequest(check: (time: number) => void): void {
    this.lateChecks.push(check);
  }

  /** A request is being answered at `time` (Date.now()). O(1): a comparison and the checks, each a comparison. */
  request(time: number): void {
    if (this.waiting.length > 0 && time - this.waitingSince >= IMMEDIATE_OVERDUE_MS) this.turned();
    for (const check of this.lateChecks) check(time);
  }

  private turned(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
