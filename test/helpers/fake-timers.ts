import type { Timers } from "../../src/core/timers.ts";

/** A clock that only moves when the test says so. */
export class FakeTimers implements Timers {
  time = 0;
  private nextId = 1;
  private pending = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  get count(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

/** Moves `timers` by `ms`, a millisecond at a time, letting what each step set off (promises, immediates) run in between. */
export async function advanceTurns(timers: FakeTimers, ms: number): Promise<void> {
  for (let step = 0; step < ms; step++) {
    timers.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
