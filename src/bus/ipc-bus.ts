/**
 * The exchange between worker processes on one machine, over the IPC channel each worker has with
 * the primary process. Workers send their batches to the primary (IpcRelay); the primary forwards
 * each batch, in the order it received them, to every worker. One sender, one order: that is what
 * gives every worker the same stream.
 *
 * A batch travels as one JSON string: serialized once by its publisher, forwarded as it is, and
 * parsed once by each receiver.
 */
import type { AcceptedEvent } from "../core/accepted-event.ts";
import type { Batch, EventBus, Tick } from "./event-bus.ts";

/** A message channel to one other process (process.send / a Subprocess, or a fake in tests). */
export interface Channel {
  send(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

export interface BatchMessage {
  type: "batch";
  events: string;
}

export interface TickMessage extends Tick {
  type: "tick";
}

function isTickMessage(message: unknown): message is TickMessage {
  return typeof message === "object" && message !== null && (message as TickMessage).type === "tick" && typeof (message as TickMessage).time === "number";
}

export function isBatchMessage(message: unknown): message is BatchMessage {
  return typeof message === "object" && message !== null && (message as BatchMessage).type === "batch" && typeof (message as BatchMessage).events === "string";
}

export function decodeBatch(message: BatchMessage): Batch {
  return JSON.parse(message.events) as AcceptedEvent[];
}

/** A worker's side: publish goes to the primary; batches come back from it. */
export class IpcBus implements EventBus {
  private readonly handlers: Array<(batch: Batch) => void> = [];
  private readonly tickHandlers: Array<(tick: Tick) => void> = [];
  private closed = false;

  constructor(private readonly channel: Channel) {
    channel.onMessage((message) => {
      if (this.closed) return;
      if (isBatchMessage(message)) {
        const batch = decodeBatch(message);
        for (const handler of this.handlers) handler(batch);
      } else if (isTickMessage(message)) {
        const tick = { time: message.time, intervalMs: message.intervalMs };
        for (const handler of this.tickHandlers) handler(tick);
      }
    });
  }

  onTick(handler: (tick: Tick) => void): void {
    this.tickHandlers.push(handler);
  }

  publish(batch: Batch): void {
    if (this.closed) return;
    this.channel.send({ type: "batch", events: JSON.stringify(batch) } satisfies BatchMessage);
  }

  onBatch(handler: (batch: Batch) => void): void {
    this.handlers.push(handler);
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * The primary's side: forwards each batch a worker sends to every attached worker, itself
 * included, in arrival order, and sends the ticks in the same stream. `onBatch` sees each batch once, right before it is forwarded: the
 * primary stores events there, so a worker attached after a store position holds exactly the
 * batches stored after it.
 */
export class IpcRelay {
  private readonly peers = new Set<Channel>();
  private readonly handlers: Array<(batch: Batch) => void> = [];

  /** Listens to a worker's batches (from its start) without forwarding to it yet. */
  listen(peer: Channel): void {
    peer.onMessage((message) => {
      if (isBatchMessage(message)) this.forward(message);
    });
  }

  /** From now on, `peer` receives every batch. */
  attach(peer: Channel): void {
    this.peers.add(peer);
  }

  detach(peer: Channel): void {
    this.peers.delete(peer);
  }

  onBatch(handler: (batch: Batch) => void): void {
    this.handlers.push(handler);
  }

  /** Sends a tick to every attached worker, in line with the batches forwarded before it. */
  tick(tick: Tick): void {
    this.sendAll({ type: "tick", ...tick } satisfies TickMessage);
  }

  private forward(message: BatchMessage): void {
    if (this.handlers.length > 0) {
      const batch = decodeBatch(message);
      for (const handler of this.handlers) handler(batch);
    }
    this.sendAll(message);
  }

  private sendAll(message: BatchMessage | TickMessage): void {
    for (const peer of this.peers) {
      try {
        peer.send(message);
      } catch {
        // A worker that has just died: the supervisor detaches and replaces it.
      }
    }
  }
}
