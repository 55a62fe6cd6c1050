/**
 * The event exchange between Pulse nodes on several machines, over one Redis stream (Redis 7 or
 * Valkey, through Bun's RedisClient). Every node appends its batches with XADD and reads the whole
 * stream with XREAD from where it started: Redis gives the stream one order, the same for every
 * reader, which is the bus's "One order"; pub/sub would lose what a reconnecting node missed, where
 * a stream lets it read on from its last entry (see ARCHITECTURE.md, "Across machines").
 *
 * An entry holds its publisher's node id, the publisher's sequence number and the batch as JSON
 * text (Bun hands replies back as strings: text survives, raw bytes would not). A batch that could
 * not be appended (Redis away) waits in a bounded outbox and is sent again, in order; a reader
 * skips any entry of a publisher at or below the sequence it already applied, so a batch appended
 * twice (its first reply lost with the connection) is applied once. A malformed or foreign entry
 * is skipped and counted, never thrown.
 */
import { RedisClient } from "bun";
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import { eventProblem } from "../core/ingest/event-shape.ts";
import type { Batch, EventBus } from "./event-bus.ts";
import { retryWait } from "./redis-reconnect.ts";
export { redisAddress } from "./redis-address.ts";

/** The stream's key when none is given. */
export const DEFAULT_STREAM = "pulse:exchange";
/**
 * What the stream keeps (about: Redis trims whole blocks of entries): the last 31 minutes, so that
 * a node that starts can rebuild the last 30 from it (see `recent`) whatever the traffic.
 */
export const STREAM_HISTORY_MS = 31 * 60_000;
/** Characters of batches published and not yet read back, beyond which new ones are dropped (see `congested`). */
export const MAX_UNRETURNED_CHARS = 32 * 1024 * 1024;
/** How long a read waits for new entries before it asks again (and notices a close). */
const BLOCK_MS = 1_000;
const READ_COUNT = 1_000;

export interface RedisBusOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** This node's id: unique among the nodes sharing the stream. */
  node: string;
  stream?: string;
  /** How far back the stream keeps entries (STREAM_HISTORY_MS). */
  historyMs?: number;
  maxUnreturnedChars?: number;
  /** Told of a batch not sent because too much of this node's has not come back: its events are lost. */
  onDropped?: (batch: Batch) => void;
  /** Told of an entry that is not a batch this bus can read. */
  onForeign?: (why: string) => void;
  /**
   * Told when batches of a node never reached this one: its sequence numbers skipped some (trimmed
   * from the stream before this node read them, when it fell too far behind). Its figures then
   * differ from the others' until it rebuilds from storage.
   */
  onGap?: (node: string, missed: number) => void;
}

interface Outgoing {
  sequence: number;
  events: string;
}

export class RedisBus implements EventBus {
  /** Resolves once the bus has its place in the stream: batches published after it reach this node. */
  readonly ready: Promise<void>;
  private readonly writer: RedisClient;
  private readonly reader: RedisClient;
  private readonly stream: string;
  /** How far back the stream keeps entries. */
  readonly historyMs: number;
  private readonly maxUnreturned: number;
  private readonly handlers: Array<(batch: Batch, own: boolean) => void> = [];
  private readonly controlHandlers: Array<(kind: string, fields: ReadonlyMap<string, string>) => void> = [];
  private readonly outbox: Outgoing[] = [];
  /** The last sequence applied of each publisher: an entry at or below it is a repeat. */
  private readonly applied = new Map<string, number>();
  private sequence = 0;
  private sending = false;
  private isClosed = false;
  private unreturned = 0;
  private lastId = "0-0";
  /** The stream's last entry when this bus joined: what came before is history (`recent`). */
  private startId = "0-0";
  /** Entries skipped as unreadable, for /metrics. */
  foreign = 0;
  /** Batches of other nodes that never reached this one (see `onGap`). */
  missed = 0;
  /** Batches of this node's refused past the bound (see `onDropped`). */
  droppedBatches = 0;

  constructor(private readonly options: RedisBusOptions) {
    this.stream = options.stream ?? DEFAULT_STREAM;
    this.historyMs = options.historyMs ?? STREAM_HISTORY_MS;
    this.maxUnreturned = options.maxUnreturnedChars ?? MAX_UNRETURNED_CHARS;
    // Reconnected here, with backoff and jitter, however long Redis is away (the client's own
    // reconnection gives up after some retries); a command while disconnected fails at once.
    this.writer = new RedisClient(options.url, { autoReconnect: false, enableOfflineQueue: false });
    this.reader = new RedisClient(options.url, { autoReconnect: false, enableOfflineQueue: false });
    this.ready = this.start();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The id of the last entry read: every batch up to it has been handed to the handlers. */
  get position(): string {
    return this.lastId;
  }

  /** The stream's key: the control plane of the same nodes adds its entries (ticks, salts) to it. */
  get key(): string {
    return this.stream;
  }

  /**
   * Called with every entry that is not a batch but a control plane's (a field `k` names its
   * kind), in the stream's order: a tick comes after every batch appended before it.
   */
  onControl(handler: (kind: string, fields: ReadonlyMap<string, string>) => void): void {
    this.controlHandlers.push(handler);
  }

  /**
   * The batches appended from `since` (epoch ms) up to where this bus joined, oldest first: what a
   * node that starts rebuilds from, since every later batch reaches it as it is read. Entries it
   * cannot read are skipped and counted, as when read live.
   */
  async recent(since: number): Promise<Batch[]> {
    await this.ready;
    return (await this.retrying(this.writer, () => streamBatches(this.writer, this.stream, since, this.startId, (why) => this.skip(why)))) ?? [];
  }

  publish(batch: Batch): void {
    if (this.isClosed) return;
    const events = JSON.stringify(batch);
    if (this.unreturned > 0 && this.unreturned + events.length > this.maxUnreturned) {
      this.droppedBatches++;
      return this.options.onDropped?.(batch);
    }
    this.unreturned += events.length;
    this.outbox.push({ sequence: ++this.sequence, events });
    void this.send();
  }

  onBatch(handler: (batch: Batch, own: boolean) => void): void {
    this.handlers.push(handler);
  }

  /** Half the bound unreturned, as IpcBus: the rest is room for what requests in flight still bring. */
  congested(): boolean {
    return this.unreturned > this.maxUnreturned / 2;
  }

  /** Three quarters of the bound, as IpcBus. */
  full(): boolean {
    return this.unreturned > (this.maxUnreturned * 3) / 4;
  }

  close(): void {
    this.isClosed = true;
    this.writer.close();
    this.reader.close();
  }

  /** Takes the stream's last entry as the place to read from ("No history"), then reads on. */
  private async start(): Promise<void> {
    const last = (await this.retrying(this.writer, () => this.writer.send("XREVRANGE", [this.stream, "+", "-", "COUNT", "1"]))) as Array<[string, string[]]> | undefined;
    this.lastId = this.startId = last?.[0]?.[0] ?? "0-0";
    void this.read();
  }

  /** Appends the outbox in order, one entry at a time, retrying what fails until it is sent. */
  private async send(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    await this.ready;
    while (this.outbox.length > 0 && !this.isClosed) {
      const { sequence, events } = this.outbox[0]!;
      const sent = await this.retrying(this.writer, () =>
        this.writer.send("XADD", [this.stream, "MINID", "~", String(Date.now() - this.historyMs), "*", "n", this.options.node, "s", String(sequence), "b", events]),
      );
      if (sent !== undefined) this.outbox.shift();
    }
    this.sending = false;
  }

  private async read(): Promise<void> {
    while (!this.isClosed) {
      const reply = (await this.retrying(this.reader, () =>
        this.reader.send("XREAD", ["BLOCK", String(BLOCK_MS), "COUNT", String(READ_COUNT), "STREAMS", this.stream, this.lastId]),
      )) as Record<string, Array<[string, string[]]>> | null | undefined;
      if (!reply || this.isClosed) continue;
      for (const [id, fields] of reply[this.stream] ?? []) {
        this.lastId = id;
        this.deliver(fields);
      }
    }
  }

  private deliver(fields: string[]): void {
    const control = controlEntryOf(fields);
    if (control) {
      for (const handler of this.controlHandlers) handler(control.kind, control.fields);
      return;
    }
    const entry = entryOf(fields);
    if ("error" in entry) return this.skip(entry.error);
    const { node, sequence, events } = entry;
    const last = this.applied.get(node);
    if (last !== undefined && sequence <= last) return;
    // A node's first batch seen here may have any number: it published before this node joined.
    if (last !== undefined && sequence > last + 1) {
      this.missed += sequence - last - 1;
      this.options.onGap?.(node, sequence - last - 1);
    }
    this.applied.set(node, sequence);
    const own = node === this.options.node;
    if (own) this.unreturned -= events.length;
    const batch = this.parsed(events);
    if (batch) for (const handler of this.handlers) handler(batch, own);
  }

  private parsed(events: string): Batch | undefined {
    const batch = parseBatch(events);
    return "error" in batch ? this.skip(batch.error) : batch;
  }

  private skip(why: string): undefined {
    this.foreign++;
    this.options.onForeign?.(why);
    return undefined;
  }

  /**
   * Runs a command on `client` until it answers, connecting the client again after it failed;
   * undefined once the bus is closed. Backs off with jitter between tries, so nodes that lost Redis
   * together do not all come back at the same moment.
   */
  private async retrying<T>(client: RedisClient, command: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; !this.isClosed; attempt++) {
      try {
        if (!client.connected) await client.connect();
        return await command();
      } catch {
        if (this.isClosed) return undefined;
        await Bun.sleep(retryWait(attempt));
      }
    }
    return undefined;
  }
}

/**
 * The batches of `stream` appended from `since` (epoch ms) up to the entry `through`, oldest first,
 * read a page at a time; `skip` is told of each entry that is no batch this bus can read.
 */
export async function streamBatches(client: RedisClient, stream: string, since: number, through: string, skip: (why: string) => void): Promise<Batch[]> {
  const batches: Batch[] = [];
  let from = `${Math.max(0, Math.floor(since))}-0`;
  for (;;) {
    const entries = (await client.send("XRANGE", [stream, from, through, "COUNT", String(READ_COUNT)])) as Array<[string, string[]]> | null;
    if (!entries || entries.length === 0) return batches;
    for (const [, fields] of entries) {
      if (controlEntryOf(fields)) continue;
      const entry = entryOf(fields);
      const batch = "error" in entry ? entry : parseBatch(entry.events);
      if ("error" in batch) skip(batch.error);
      else batches.push(batch);
    }
    const lastRead = entries.at(-1)![0];
    if (lastRead === through || entries.length < READ_COUNT) return batches;
    from = `(${lastRead}`;
  }
}


/** A control plane's entry: its kind (field `k`) and its fields; undefined for a batch or anything else. */
export function controlEntryOf(fields: unknown): { kind: string; fields: Map<string, string> } | undefined {
  if (!Array.isArray(fields) || fields[0] !== "k" || typeof fields[1] !== "string") return undefined;
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(String(fields[i]), String(fields[i + 1]));
  return { kind: fields[1], fields: values };
}

/** An entry's publisher, sequence and batch text, or why it is none. */
export function entryOf(fields: unknown): { node: string; sequence: number; events: string } | { error: string } {
  if (!Array.isArray(fields)) return { error: "an entry without fields" };
  const values = new Map<string, unknown>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(String(fields[i]), fields[i + 1]);
  const node = values.get("n");
  const sequence = Number(values.get("s"));
  const events = values.get("b");
  if (typeof node !== "string" || node === "") return { error: "an entry without its node" };
  if (!Number.isSafeInteger(sequence) || sequence < 1) return { error: "an entry without a sequence number" };
  if (typeof events !== "string") return { error: "an entry without a batch" };
  return { node, sequence, events };
}

/** The events of a batch's text, or what is wrong with it: nothing from another machine is read unchecked. */
export function parseBatch(events: string): Batch | { error: string } {
  let batch: unknown;
  try {
    batch = JSON.parse(events);
  } catch {
    return { error: "a batch that is not JSON" };
  }
  if (!Array.isArray(batch)) return { error: "a batch that is not an array of events" };
  for (const event of batch) {
    const problem = eventProblem(event);
    if (problem) return { error: `a batch with a malformed event: ${problem}` };
  }
  return batch as AcceptedEvent[];
}
