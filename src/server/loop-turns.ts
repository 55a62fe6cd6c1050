/**
 * Bun runs timers and immediates only between bursts of socket work: while requests keep coming
 * faster than a process answers them, they can wait for seconds (4 to 7 s measured here at 40,000
 * requests a second offered to one process on 2 cores), and with them the tick, the fan-out
 * between shard passes and, in a worker, the batches it owes the primary. Requests are still
 * answered meanwhile, so ingest reports each one here: a request answered is a turn of the event
 * loop as good as an immediate, and work whose timer is late can run from there.
 */
export class LoopTurns {
  private waiting: Array<() => void> = [];
  private readonly lateChecks: Array<(time: number) => void> = [];

  /** Resolves at the next turn of the event loop: an immediate, or a request answered, whichever comes first. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length === 1) setImmediate(() => this.turned());
    });
  }

  /** `check` runs on every request with its time, to start work its timer is late with. */
  onRequest(check: (time: number) => void): void {
    this.lateChecks.push(check);
  }

  /** A request is being answered at `time`. O(1): a length test and the checks, each a comparison. */
  request(time: number): void {
    this.turned();
    for (const check of this.lateChecks) check(time);
  }

  private turned(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
