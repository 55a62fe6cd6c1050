/**
 * The exchange between worker processes on one machine, over the IPC channel each worker has with
 * the primary process. Workers send their batches to the primary (IpcRelay); the primary forwards
 * each batch, in the order it received them, to every worker. One sender, one order: that is what
 * gives every worker the same stream.
 *
 * A batch travels as one JSON string: serialized once by its publisher, forwarded as it is, and
 * parsed once by each receiver. The relay is in ipc-relay.ts.
 */
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import type { Tick } from "../control/control-plane.ts";
import type { Batch, EventBus } from "./event-bus.ts";

/** A message channel to one other process (process.send / a Subprocess, or a fake in tests). */
export interface Channel {
  send(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Called once when the other process is gone (the channel closed); absent where nobody can tell. */
  onClose?(handler: () => void): void;
}

export interface BatchMessage {
  type: "batch";
  events: string;
  /** Set on the copy that goes back to the batch's publisher. */
  own?: true;
}

/** Sent by the relay in line with the batches; read by the control plane (src/control/ipc-control.ts). */
export interface TickMessage extends Tick {
  type: "tick";
}

/** A worker tells the relay how much it has read: the characters of every batch it received. */
export interface ReadMessage {
  type: "read";
  chars: number;
}

export function isReadMessage(message: unknown): message is ReadMessage {
  return typeof message === "object" && message !== null && (message as ReadMessage).type === "read" && typeof (message as ReadMessage).chars === "number";
}

export function isTickMessage(message: unknown): message is TickMessage {
  if (typeof message !== "object" || message === null) return false;
  const tick = message as TickMessage;
  return tick.type === "tick" && typeof tick.number === "number" && typeof tick.time === "number" && typeof tick.intervalMs === "number";
}

export function isBatchMessage(message: unknown): message is BatchMessage {
  return typeof message === "object" && message !== null && (message as BatchMessage).type === "batch" && typeof (message as BatchMessage).events === "string";
}

export function decodeBatch(message: BatchMessage): Batch {
  return JSON.parse(message.events) as AcceptedEvent[];
}

/**
 * Characters a worker may have sent the primary that have not come back yet: some 100,000 events.
 * They come back late when the primary stalls, and also when this worker is flooded with requests
 * and reads the channel only between bursts: a smaller bound lost events of a flood that this one
 * kept (see docs/benchmarks.md#max_unreturned_chars). After the primary stalls, it forwards every
 * worker's backlog to every worker at once: four workers' backlogs together stay within what the
 * relay lets wait for a worker that is talking (ipc-relay.ts).
 */
export const MAX_UNRETURNED_CHARS = 32 * 1024 * 1024;

export interface IpcBusOptions {
  maxUnreturnedChars?: number;
  /** Told of a batch not sent because the primary has not taken the ones before it: its events are lost. */
  onDropped?: (batch: Batch) => void;
}

/**
 * A worker's side: publish goes to the primary; batches come back from it. What it has sent and
 * not had back is bounded: while the primary is not taking batches (stopped, or swamped), new
 * ones are dropped and reported instead of piling up in the channel.
 */
export class IpcBus implements EventBus {
  private readonly handlers: Array<(batch: Batch, own: boolean) => void> = [];
  /** Batches that came before anyone listened (a worker still reading its history): handed to the first handler. */
  private early: Array<[Batch, boolean]> | undefined = [];
  private closed = false;
  private read = 0;
  private unreturned = 0;
  private readonly maxUnreturned: number;

  constructor(
    private readonly channel: Channel,
    private readonly options: IpcBusOptions = {},
  ) {
    this.maxUnreturned = options.maxUnreturnedChars ?? MAX_UNRETURNED_CHARS;
    channel.onMessage((message) => {
      if (this.closed) return;
      if (isBatchMessage(message)) {
        const batch = decodeBatch(message);
        const own = message.own === true;
        if (own) this.unreturned -= message.events.length;
        if (this.early) this.early.push([batch, own]);
        for (const handler of this.handlers) handler(batch, own);
        this.read += message.events.length;
        channel.send({ type: "read", chars: this.read } satisfies ReadMessage);
      }
    });
  }

  publish(batch: Batch): void {
    if (this.closed) return;
    const events = JSON.stringify(batch);
    if (this.unreturned > 0 && this.unreturned + events.length > this.maxUnreturned) return this.options.onDropped?.(batch);
    this.unreturned += events.length;
    this.channel.send({ type: "batch", events } satisfies BatchMessage);
  }

  onBatch(handler: (batch: Batch, own: boolean) => void): void {
    this.handlers.push(handler);
    const early = this.early;
    this.early = undefined;
    for (const [batch, own] of early ?? []) handler(batch, own);
  }

  /** Half the bound unreturned: the rest is room for what requests in flight still bring. */
  congested(): boolean {
    return this.unreturned > this.maxUnreturned / 2;
  }

  /** Three quarters of the bound: what a request whose body is still coming brings fits in the rest. */
  full(): boolean {
    return this.unreturned > (this.maxUnreturned * 3) / 4;
  }

  close(): void {
    this.closed = true;
  }
}
