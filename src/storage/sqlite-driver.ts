/**
 * The SQLite of the runtime Pulse runs on: bun:sqlite inside Bun, better-sqlite3 on Node.js. The
 * store (sqlite-store.ts) and its schema speak only this much of it, which both provide alike.
 * Picked by what runs this code, like `fetch`: the same store serves both entry points, and
 * neither bundle carries the other runtime's binding (the module names are not string literals a
 * bundler would follow).
 */
import { createRequire } from "node:module";

export interface SqliteStatement<Row, Params extends unknown[]> {
  /** The first row, or null/undefined when there is none. */
  get(...params: Params): Row | null | undefined;
  all(...params: Params): Row[];
  run(...params: Params): unknown;
}

/** A function run in one transaction; `.immediate` takes the write lock at BEGIN. */
export type Transaction<F extends (...args: never[]) => unknown> = F & { immediate: F };

export interface SqliteDatabase {
  /** A prepared statement, cached by its text and finalized with the database. */
  query<Row, Params extends unknown[]>(sql: string): SqliteStatement<Row, Params>;
  /** Runs SQL that returns no rows (a PRAGMA, a CREATE). */
  run(sql: string): void;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): void;
}

const load = createRequire(import.meta.url);
const BUN_SQLITE = ["bun", "sqlite"].join(":");
const NODE_SQLITE = ["better", "sqlite3"].join("-");

/** Opens (creating) the database file at `path`, or ":memory:". */
export function openSqlite(path: string): SqliteDatabase {
  if (typeof globalThis.Bun !== "undefined") {
    const { Database } = load(BUN_SQLITE) as { Database: new (path: string) => SqliteDatabase };
    return new Database(path);
  }
  return nodeSqlite(path);
}

interface BetterStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}
interface BetterDatabase {
  prepare(sql: string): BetterStatement;
  exec(sql: string): void;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): void;
}

/**
 * A statement that binds values by position. better-sqlite3 takes numbered parameters (?1, ?2: a
 * value used twice, or in another order) only by name, so those become @p1, @p2, bound from the
 * values in order.
 */
function prepare(db: BetterDatabase, sql: string): BetterStatement {
  if (!/\?\d/.test(sql)) return db.prepare(sql);
  const statement = db.prepare(sql.replace(/\?(\d+)/g, "@p$1"));
  const named = (values: unknown[]) => Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value]));
  return {
    get: (...values) => statement.get(named(values)),
    all: (...values) => statement.all(named(values)),
    run: (...values) => statement.run(named(values)),
  };
}

/** better-sqlite3 shaped as bun:sqlite's Database: statements cached by text, `run` for statements without rows. */
function nodeSqlite(path: string): SqliteDatabase {
  let Database: new (path: string) => BetterDatabase;
  try {
    Database = load(NODE_SQLITE) as typeof Database;
  } catch (error) {
    throw new Error(
      `the SQLite binding for Node.js (${NODE_SQLITE}) is not installed or not built for Node ${process.versions.node}: ` +
        `npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" npm rebuild ${NODE_SQLITE}`,
      { cause: error },
    );
  }
  const db = new Database(path);
  const statements = new Map<string, BetterStatement>();
  return {
    query<Row, Params extends unknown[]>(sql: string): SqliteStatement<Row, Params> {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = prepare(db, sql)));
      return statement as SqliteStatement<Row, Params>;
    },
    run: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}
