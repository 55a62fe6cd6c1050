/**
 * Events in PostgreSQL (15 or later), through Bun's SQL client: the store several nodes share
 * (`--database postgres://…`). A row per event, numbered in append order (an identity column, which
 * is the store's position), with the event in the same compact form a SQLite chunk holds
 * (event-chunks.ts), so both stores read and check events alike. Batches go in with COPY, about
 * three times faster than a multi-row INSERT and without its limit on parameters.
 *
 * Nodes joined by Redis store each event once, by one writer: whichever node holds the pace reads
 * the exchange's stream and appends its batches with `appendFromStream`, which moves the stream's
 * position in the same transaction, only from where it was: a writer that lost its place (another
 * took over) stores nothing twice.
 */
import { SQL } from "bun";
import { errorMessage } from "../core/error-message.ts";
import { decodeEvents, encodeEvents } from "./event-chunks.ts";
import { StorageError, type AsyncEventStore, type EventReader, type ExportQuery, type StoredEvent } from "./event-store.ts";
import { databaseAddress } from "./postgres-address.ts";
export { databaseAddress };

/** Rows read per query of an export: one step of the CSV stream. */
const RANGE_PAGE = 500;
const MAX_DAMAGED_REMEMBERED = 10_000;
/** Taken while the schema is made, so that nodes starting together do not race to make it. */
const SCHEMA_LOCK = 7_426_530_194;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS pulse_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site text NOT NULL,
    time bigint NOT NULL,
    event text NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS pulse_events_site_time ON pulse_events (site, time, id)",
  "CREATE INDEX IF NOT EXISTS pulse_events_time ON pulse_events (time, id)",
  // Where the one writer of an exchange's stream stopped: the last entry whose events are stored.
  "CREATE TABLE IF NOT EXISTS pulse_stream_positions (stream text PRIMARY KEY, entry text NOT NULL)",
];

export interface PostgresStoreOptions {
  /** Where a damaged row is told, once each. */
  log?: (line: string) => void;
  /** Connections in the pool. */
  max?: number;
}


export class PostgresStore implements AsyncEventStore {
  private readonly damaged = new Set<number>();
  private readonly damageListeners: Array<(id: number) => void> = [];

  private constructor(
    private readonly sql: SQL,
    /** For errors: where, never who. */
    readonly address: string,
    private readonly secret: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects and makes the tables if need be; rejects with a StorageError naming the server (never its password). */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const address = databaseAddress(url);
    const secret = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : "";
    const sql = new SQL(url, { max: options.max ?? 4, connectionTimeout: 10, onclose: () => {} });
    const store = new PostgresStore(sql, address, secret, options.log ?? console.error);
    try {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
        for (const statement of SCHEMA) await tx.unsafe(statement);
      });
    } catch (error) {
      await sql.close({ timeout: 0 });
      throw new StorageError(`cannot use PostgreSQL at ${address}: ${store.describe(error)}`);
    }
    return store;
  }

  /** What a running node reads here: exports (its history is read before it starts, with `since`). */
  reader(): EventReader {
    return {
      range: (query) => this.range(query),
      onDamagedChunk: (listener) => this.onDamagedChunk(listener),
      close: () => this.close(),
    };
  }

  /** An error's message, with the password taken out should the driver ever quote it. */
  describe(error: unknown): string {
    const message = errorMessage(error).replace(/\s+/g, " ");
    return this.secret ? message.split(this.secret).join("***") : message;
  }

  async append(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Encoded before anything is sent: a batch with an event that cannot be stored throws here, whole.
    const rows = copyRows(events);
    await this.sql.begin(async (tx) => {
      await copy(tx, rows);
    });
  }

  /** The last stream entry whose events are stored, or null when this stream never wrote here. */
  async streamPosition(stream: string): Promise<string | null> {
    const [row] = await this.sql<Array<{ entry: string }>>`SELECT entry FROM pulse_stream_positions WHERE stream = ${stream}`;
    return row?.entry ?? null;
  }

  /**
   * Stores the events of a stream's entries after `from` up to `to`, and moves the stream's
   * position to `to`, in one transaction, only if the position is still `from` (null: none yet).
   * False, having stored nothing, when another writer has moved it.
   */
  async appendFromStream(stream: string, from: string | null, to: string, events: readonly StoredEvent[]): Promise<boolean> {
    const rows = copyRows(events);
    return await this.sql.begin(async (tx) => {
      const moved =
        from === null
          ? await tx`INSERT INTO pulse_stream_positions (stream, entry) VALUES (${stream}, ${to}) ON CONFLICT DO NOTHING`
          : await tx`UPDATE pulse_stream_positions SET entry = ${to} WHERE stream = ${stream} AND entry = ${from}`;
      if (moved.count !== 1) return false;
      if (rows.length > 0) await copy(tx, rows);
      return true;
    });
  }

  async since(time: number, through = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    const rows = await this.sql<EventRow[]>`SELECT id, site, event FROM pulse_events WHERE time >= ${time} AND id <= ${through} ORDER BY id`;
    return this.eventsOf(rows);
  }

  async lastPosition(): Promise<number> {
    const [row] = await this.sql<Array<{ last: string | null }>>`SELECT max(id) AS last FROM pulse_events`;
    return Number(row?.last ?? 0);
  }

  /** An iterable: each loop reads again from the start. */
  range(query: ExportQuery): AsyncIterable<StoredEvent> {
    return { [Symbol.asyncIterator]: () => this.pages(query) };
  }

  private async *pages({ site, from, to }: ExportQuery): AsyncGenerator<StoredEvent> {
    let after: { time: number; id: number } | undefined;
    const low = from ?? Number.MIN_SAFE_INTEGER;
    const high = to ?? Number.MAX_SAFE_INTEGER;
    for (;;) {
      // Keyset paging: each page starts after the last row read, so no cursor stays open.
      const rows = after
        ? await this.sql<EventRow[]>`SELECT id, site, event, time FROM pulse_events
            WHERE site = ${site} AND time < ${high} AND (time, id) > (${after.time}, ${after.id})
            ORDER BY time, id LIMIT ${RANGE_PAGE}`
        : await this.sql<EventRow[]>`SELECT id, site, event, time FROM pulse_events
            WHERE site = ${site} AND time >= ${low} AND time < ${high}
            ORDER BY time, id LIMIT ${RANGE_PAGE}`;
      yield* this.eventsOf(rows);
      if (rows.length < RANGE_PAGE) return;
      const last = rows.at(-1)!;
      after = { time: Number(last.time), id: Number(last.id) };
    }
  }

  async prune(before: number, limit: number): Promise<number> {
    // Whole events: a limit of 1.9 deletes one, as the other stores do (PostgreSQL would round it up).
    limit = Math.floor(limit);
    if (!(limit > 0)) return 0;
    const deleted = await this.sql`DELETE FROM pulse_events WHERE id IN (
      SELECT id FROM pulse_events WHERE time < ${before} ORDER BY time, id LIMIT ${limit})`;
    return deleted.count;
  }

  onDamagedChunk(listener: (id: number) => void): void {
    this.damageListeners.push(listener);
  }

  async count(): Promise<number> {
    const [row] = await this.sql<Array<{ count: string }>>`SELECT count(*) AS count FROM pulse_events`;
    return Number(row?.count ?? 0);
  }

  async close(): Promise<void> {
    await this.sql.close({ timeout: 5 });
  }

  /** The rows' events, in their order; a row that cannot be read back is skipped and told once. */
  private eventsOf(rows: readonly EventRow[]): StoredEvent[] {
    const events: StoredEvent[] = [];
    for (const row of rows) {
      try {
        events.push(decodeEvents(row.site, `[${row.event}]`)[0]!);
      } catch (error) {
        const id = Number(row.id);
        if (this.damaged.has(id) || this.damaged.size >= MAX_DAMAGED_REMEMBERED) continue;
        this.damaged.add(id);
        this.log(`pulse: skipped the damaged stored event ${id} (site ${row.site}): ${errorMessage(error)}`);
        for (const listener of this.damageListeners) listener(id);
      }
    }
    return events;
  }
}

interface EventRow {
  id: string;
  site: string;
  event: string;
  time?: string;
}

/**
 * The events as lines of COPY's text format: site, time and the event, tab-separated. The event is
 * the one-event form of a chunk's JSON (a TypeError for an event that cannot be stored); JSON
 * escapes every control character, so only backslashes need COPY's escaping.
 */
function copyRows(events: readonly StoredEvent[]): string[] {
  return events.map((event) => {
    const encoded = encodeEvents([event]).slice(1, -1).replaceAll("\\", "\\\\");
    return `${copyText(event.site)}\t${event.time}\t${encoded}\n`;
  });
}

function copyText(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (char) => (char === "\\" ? "\\\\" : char === "\t" ? "\\t" : char === "\n" ? "\\n" : "\\r"));
}

async function copy(tx: SQL, rows: readonly string[]): Promise<void> {
  const query = tx`COPY pulse_events (site, time, event) FROM STDIN`;
  const writer = query.writable().getWriter();
  // A few hundred kilobytes at a time: one write per row would be a round of the stream each.
  for (let i = 0; i < rows.length; i += 1_000) await writer.write(rows.slice(i, i + 1_000).join(""));
  await writer.close();
  await query;
}
