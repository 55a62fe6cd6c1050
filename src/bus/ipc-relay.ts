/**
 * The primary's side of the IPC bus (ipc-bus.ts): it forwards each batch a worker sends to every
 * attached worker, the sender included (told it is its own), in arrival order, and sends the
 * ticks in the same stream. `onBatch` sees each batch once, right before it is forwarded: the
 * primary stores events there, so a worker attached after a store position holds exactly the
 * batches stored after it.
 *
 * What waits for a worker is bounded. Each worker says how much it has read; the relay keeps no
 * more than a little in flight to it (the channel's own buffer costs several bytes of memory per
 * character and never shrinks back), holds the rest in order, and cuts off a worker that lets
 * more than the limit wait while saying nothing and using no CPU (a stopped process; see
 * `stillWorking`), or TALKING_FACTOR times the limit whatever it says, or before it has said
 * anything (still starting): it is detached, and its supervisor told. A worker that still talks is only
 * behind: after the primary itself stalls, every worker's backlog is forwarded at once, and what
 * the workers say they read arrives behind it.
 */
import type { Tick } from "../control/control-plane.ts";
import type { Batch } from "./event-bus.ts";
import { decodeBatch, isBatchMessage, isReadMessage, type BatchMessage, type Channel, type TickMessage } from "./ipc-bus.ts";

/** Characters sent to a worker and not yet read, beyond which the rest waits in the relay. */
export const IN_FLIGHT_CHARS = 1024 * 1024;
/**
 * What may wait for a worker, sent or held, in characters of batches: some 4 seconds of 10,000
 * events a second. A worker reads in milliseconds; only one that is stopped, or blocked or
 * starved for seconds, lets that much wait.
 */
export const MAX_UNREAD_CHARS = 16 * 1024 * 1024;
/**
 * A worker that talks is reading, if slowly (a flooded worker reads between bursts of requests),
 * and may fall further behind: up to this many times the limit, some 128 MB of events.
 */
export const TALKING_FACTOR = 8;
/** A worker that has said nothing for this long, with more than the limit waiting, is not reading. */
export const QUIET_MS = 1_000;

export interface RelayOptions {
  inFlightChars?: number;
  maxUnreadChars?: number;
  quietMs?: number;
  now?: () => number;
  /** Asked about a quiet worker over the limit: true if it is still at work (flooded, not stopped), so it is held to the hard limit only. */
  stillWorking?: (peer: Channel) => boolean;
  /** Told about a worker that went over the limit (it has been detached): it is not reading. */
  onOverfull?: (peer: Channel, unreadChars: number) => void;
  /**
   * False: a worker's batch goes to the handlers only, and the primary sends batches on itself
   * (`broadcast`) once they come back in a wider order: a node of workers joined by Redis.
   */
  forward?: boolean;
}

type Message = BatchMessage | TickMessage;

interface Outbox {
  /** Characters sent to it, and read by it, in all. */
  sent: number;
  read: number;
  /** Held back, in order, until it has read enough of what is in flight. */
  held: Message[];
  heldChars: number;
  /** When it last sent anything; undefined until it first does (a worker restoring its state says nothing for a while). */
  heardAt: number | undefined;
}

const charsOf = (message: Message) => (message.type === "batch" ? message.events.length : 0);

export class IpcRelay {
  private readonly peers = new Map<Channel, Outbox>();
  private readonly handlers: Array<(batch: Batch, from: Channel) => void> = [];
  private readonly inFlight: number;
  private readonly maxUnread: number;
  private readonly quietMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RelayOptions = {}) {
    this.inFlight = options.inFlightChars ?? IN_FLIGHT_CHARS;
    this.maxUnread = options.maxUnreadChars ?? MAX_UNREAD_CHARS;
    this.quietMs = options.quietMs ?? QUIET_MS;
    this.now = options.now ?? Date.now;
  }

  /** Listens to a worker's batches (from its start) without forwarding to it yet. */
  listen(peer: Channel): void {
    peer.onMessage((message) => {
      const outbox = this.peers.get(peer);
      if (outbox) outbox.heardAt = this.now();
      if (isBatchMessage(message)) this.forward(message, peer);
      else if (isReadMessage(message)) this.read(peer, message.chars);
    });
  }

  /** From now on, `peer` receives every batch. */
  attach(peer: Channel): void {
    this.peers.set(peer, { sent: 0, read: 0, held: [], heldChars: 0, heardAt: undefined });
  }

  detach(peer: Channel): void {
    this.peers.delete(peer);
  }

  /** Called with each batch a worker sent, and that worker. */
  onBatch(handler: (batch: Batch, from: Channel) => void): void {
    this.handlers.push(handler);
  }

  /** Sends a batch to every attached worker, in line with the rest; `owner` is told it is its own. */
  broadcast(batch: Batch, owner?: Channel): void {
    const message = { type: "batch", events: JSON.stringify(batch) } satisfies BatchMessage;
    for (const [peer, outbox] of this.peers) this.deliver(peer, outbox, peer === owner ? { ...message, own: true } : message);
  }

  /** Sends a tick to every attached worker, in line with the batches forwarded before it. */
  tick(tick: Tick): void {
    const message = { type: "tick", ...tick } satisfies TickMessage;
    for (const [peer, outbox] of this.peers) this.deliver(peer, outbox, message);
  }

  private forward(message: BatchMessage, from: Channel): void {
    if (this.handlers.length > 0) {
      const batch = decodeBatch(message);
      for (const handler of this.handlers) handler(batch, from);
    }
    if (this.options.forward === false) return;
    for (const [peer, outbox] of this.peers) this.deliver(peer, outbox, peer === from ? { ...message, own: true } : message);
  }

  private deliver(peer: Channel, outbox: Outbox, message: Message): void {
    if (outbox.held.length === 0 && outbox.sent - outbox.read < this.inFlight) return this.send(peer, outbox, message);
    outbox.held.push(message);
    outbox.heldChars += charsOf(message);
    const unread = outbox.sent - outbox.read + outbox.heldChars;
    const quiet = outbox.heardAt !== undefined && this.now() - outbox.heardAt > this.quietMs;
    if (unread > TALKING_FACTOR * this.maxUnread || (unread > this.maxUnread && quiet && !this.options.stillWorking?.(peer))) {
      this.peers.delete(peer);
      this.options.onOverfull?.(peer, unread);
    }
  }

  private read(peer: Channel, chars: number): void {
    const outbox = this.peers.get(peer);
    if (!outbox) return;
    outbox.read = chars;
    let next = 0;
    while (next < outbox.held.length && outbox.sent - outbox.read < this.inFlight) {
      const message = outbox.held[next++]!;
      outbox.heldChars -= charsOf(message);
      this.send(peer, outbox, message);
    }
    outbox.held.splice(0, next);
  }

  private send(peer: Channel, outbox: Outbox, message: Message): void {
    outbox.sent += charsOf(message);
    try {
      peer.send(message);
    } catch {
      // A worker that has just died: the supervisor detaches and replaces it.
    }
  }
}
