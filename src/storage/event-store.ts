/**
 * Where accepted events are kept. The server appends each tick's events in one batch, rebuilds its
 * realtime state from the last 30 minutes at start, exports ranges as CSV and prunes old events.
 * Implementations: sqlite-store.ts (the default, on disk) and memory-store.ts (tests).
 */
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";

/** One accepted event, as stored: what the realtime state is rebuilt from and what export lists. */
export type StoredEvent = AcceptedEvent;

export interface ExportQuery {
  site: string;
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
}

/** The event database cannot be opened or used: the message is one line naming the file and the cause. */
export class StorageError extends Error {
  override name = "StorageError";
}

export interface EventStore extends EventReader {
  /**
   * Appends events in one transaction, in order: either all are stored when it returns (durable
   * against a crash of the process; SQLite's WAL with synchronous=NORMAL may lose the last batches
   * to a power cut), or it throws and none are. Called once per tick, never once per request.
   */
  append(events: readonly StoredEvent[]): void;
  /**
   * Events with time >= `time`, each site's in the order they were appended (a store may group a
   * batch's events by site: nothing read from here depends on the order between sites); with
   * `through`, only those appended up to the position `lastPosition()` returned then (a process
   * joining a running cluster rebuilds up to there and takes the rest from the event bus).
   */
  since(time: number, through?: number): Iterable<StoredEvent>;
  /** The position of the last event appended (0 when none): grows with every append. */
  lastPosition(): number;
  /**
   * Events of one site in a time range, oldest first, read lazily: a caller that stops early
   * reads no further, and memory does not grow with the range. Not a snapshot: an event appended
   * while it is read may appear if it falls after the rows already returned.
   */
  range(query: ExportQuery): Iterable<StoredEvent>;
  /**
   * Deletes up to `limit` events older than `before`; returns how many it deleted (so callers can go
   * on in steps). Which go first is prunedFrom's rule (prune-selection.ts), over what the store
   * keeps together. A damaged chunk (see onDamagedChunk) near the cut goes whole, which may pass `limit`.
   */
  prune(before: number, limit: number): number;
  /**
   * Reads (since, range, prune) skip stored data they cannot decode, a damaged chunk, rather than
   * fail: the rest is still served. The store logs each such chunk once, with its id, and tells
   * `listener` once per chunk (a metric counts them).
   */
  onDamagedChunk(listener: (id: number) => void): void;
  /** Number of stored events (all sites), for tests and metrics. */
  count(): number;
  close(): void;
}

/** What an export reads: one site's events in a time range, lazily (see EventStore.range). */
export interface ExportSource {
  range(query: ExportQuery): Iterable<StoredEvent> | AsyncIterable<StoredEvent>;
}

/** What a running node reads from where events are kept: exports, and the restore at start. */
export interface EventReader extends ExportSource {
  /**
   * As EventStore.since; absent for a store read asynchronously (PostgreSQL), whose node is given
   * its history by the control plane, read before it starts.
   */
  since?(time: number, through?: number): Iterable<StoredEvent>;
  onDamagedChunk(listener: (id: number) => void): void;
  close(): void | Promise<void>;
}

/**
 * The same contract as EventStore, for a store that answers asynchronously: a database server
 * (PostgreSQL, postgres-store.ts). Synchronous stores take part through `asyncStore`.
 */
export interface AsyncEventStore {
  append(events: readonly StoredEvent[]): Promise<void>;
  /** All at once: what a node rebuilds from at start (30 minutes of events), as EventStore.since. */
  since(time: number, through?: number): Promise<StoredEvent[]>;
  lastPosition(): Promise<number>;
  /** Read a page at a time, lazily, as EventStore.range. */
  range(query: ExportQuery): AsyncIterable<StoredEvent>;
  prune(before: number, limit: number): Promise<number>;
  onDamagedChunk(listener: (id: number) => void): void;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A synchronous store behind the asynchronous contract. */
export function asyncStore(store: EventStore): AsyncEventStore {
  return {
    append: async (events) => store.append(events),
    since: async (time, through) => Array.from(store.since(time, through)),
    lastPosition: async () => store.lastPosition(),
    range: (query) => ({
      async *[Symbol.asyncIterator]() {
        yield* store.range(query);
      },
    }),
    prune: async (before, limit) => store.prune(before, limit),
    onDamagedChunk: (listener) => store.onDamagedChunk(listener),
    count: async () => store.count(),
    close: async () => store.close(),
  };
}
