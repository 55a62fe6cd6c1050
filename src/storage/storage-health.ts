/**
 * Whether storage works, as the operator learns it: /healthz (through Metrics.storageFault), a log
 * line when writes start failing, one a minute while they go on failing and one when they work
 * again; events that will never be stored are counted by reason and logged at most once a minute.
 */
import type { Metrics, NotStoredReason } from "../core/metrics.ts";
import { errorMessage } from "../core/error-message.ts";

const LOG_EVERY_MS = 60_000;

/**
 * SQLite's primary result codes for a statement the database refuses because of the values in it.
 * Every other code (FULL, IOERR, BUSY, LOCKED, READONLY, CANTOPEN, NOMEM, CORRUPT…) is about the
 * database, its file or its disk, and may pass: the events wait for it.
 */
const VALUE_CODES = new Set(["SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_TOOBIG", "SQLITE_RANGE"]);

/**
 * True when the store refused the event for itself: encodeEvents' TypeError for a value it could not
 * read back, JSON's for a cycle, or SQLite refusing a value. False for anything else, such as a full
 * disk or a closed database: retrying later may succeed, so the event must not be dropped.
 */
export function refusedForItself(error: unknown): boolean {
  const code = sqliteCode(error);
  if (code !== undefined) return VALUE_CODES.has(/^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code);
  return error instanceof TypeError || error instanceof RangeError;
}

/** One line: bun:sqlite's extended code (SQLITE_IOERR_WRITE) when there is one, and the message. */
export function describeFailure(error: unknown): string {
  const message = errorMessage(error);
  const code = sqliteCode(error);
  return (code ? `${code}: ${message}` : message).replace(/\s+/g, " ");
}

function sqliteCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export class StorageHealth {
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  private givenUpBefore = 0;
  private readonly unlogged: Record<NotStoredReason, number> = { refused: 0, backlog: 0 };
  private readonly lastDropLog: Record<NotStoredReason, number> = { refused: -Infinity, backlog: -Infinity };

  constructor(
    private readonly metrics: Metrics,
    private readonly log: (line: string) => void,
    private readonly maxPending: number,
    private readonly now: () => number = Date.now,
    /** Where events wait meanwhile, as the log says it. */
    private readonly waitIn = `in memory, up to ${maxPending}`,
  ) {}

  /** A write succeeded: storage works (again). */
  succeeded(waiting: number): void {
    if (this.failingSince === undefined) return;
    const seconds = Math.round((this.now() - this.failingSince) / 1000);
    const givenUp = this.metrics.eventsNotStored.backlog - this.givenUpBefore;
    this.log(
      `pulse: storage works again after ${seconds} s` +
        (waiting > 0 ? `; the ${waiting} events still waiting follow in the next ticks` : "") +
        (givenUp > 0 ? `; ${givenUp} events were given up meanwhile` : ""),
    );
    this.failingSince = undefined;
    this.metrics.storageFault = "";
  }

  /** A write failed for a reason of the store's: `waiting` events wait for the next attempt. */
  failed(error: unknown, waiting: number): void {
    const now = this.now();
    const reason = describeFailure(error);
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastFailureLog = now;
      this.givenUpBefore = this.metrics.eventsNotStored.backlog;
      this.log(`pulse: storage is failing (${reason}); accepted events wait ${this.waitIn}, and are written once it works again`);
    } else if (now - this.lastFailureLog >= LOG_EVERY_MS) {
      this.lastFailureLog = now;
      this.log(`pulse: storage is still failing (${reason}); ${waiting} events waiting`);
    }
    this.metrics.storageFault = `storage is failing since ${new Date(this.failingSince).toISOString()}: ${reason}`;
  }

  /** The process stops while storage still fails: the `count` events waiting are lost. */
  givenUpAtStop(count: number): void {
    this.metrics.eventsNotStored.backlog += count;
    this.log(`pulse: stopping while ${this.metrics.storageFault}; ${count} accepted events could not be stored`);
  }

  /** `count` events will never be stored; `why` says what happened to the last of them. */
  dropped(reason: NotStoredReason, count: number, why: string): void {
    this.metrics.eventsNotStored[reason] += count;
    this.unlogged[reason] += count;
    const now = this.now();
    if (now - this.lastDropLog[reason] < LOG_EVERY_MS) return;
    const total = this.unlogged[reason];
    const events = total === 1 ? "1 event" : `${total} events`;
    this.log(
      reason === "refused"
        ? `pulse: storage refused ${events} and dropped ${total === 1 ? "it" : "them"}: ${why}`
        : `pulse: storage is failing (${why}) with ${this.maxPending} events waiting: gave up the oldest ${events}`,
    );
    this.unlogged[reason] = 0;
    this.lastDropLog[reason] = now;
  }
}
