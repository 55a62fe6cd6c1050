import type { Batch, EventBus } from "./event-bus.ts";

/** The exchange of a single process: every batch goes straight to the handlers, in publish order. Its pace is LocalControl's. */
export class LocalBus implements EventBus {
  private readonly handlers: Array<(batch: Batch, own: boolean) => void> = [];
  private closed = false;

  publish(batch: Batch): void {
    if (this.closed) return;
    for (const handler of this.handlers) handler(batch, true);
  }

  onBatch(handler: (batch: Batch, own: boolean) => void): void {
    this.handlers.push(handler);
  }

  /** Every batch comes back at once. */
  congested(): boolean {
    return false;
  }

  full(): boolean {
    return false;
  }

  close(): void {
    this.closed = true;
  }
}
