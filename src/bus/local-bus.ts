import type { Batch, EventBus } from "./event-bus.ts";

/** The exchange of a single process: every batch goes straight to the handlers, in publish order. */
export class LocalBus implements EventBus {
  private readonly handlers: Array<(batch: Batch) => void> = [];
  private closed = false;

  publish(batch: Batch): void {
    if (this.closed) return;
    for (const handler of this.handlers) handler(batch);
  }

  onBatch(handler: (batch: Batch) => void): void {
    this.handlers.push(handler);
  }

  close(): void {
    this.closed = true;
  }
}
