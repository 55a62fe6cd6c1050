import { Database, SQLiteError } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startupFailure } from "../../src/cli/startup-failure.ts";
import { ConfigError } from "../../src/config.ts";

const LISTEN = { host: "0.0.0.0", port: 3000 };

/** What a system call throws: an Error with an errno code. */
function systemError(code: string, syscall: string): Error {
  return Object.assign(new Error(`${code}: something, ${syscall}`), { code, syscall });
}

function sqliteError(): SQLiteError {
  const dir = mkdtempSync(join(tmpdir(), "pulse-failure-"));
  writeFileSync(join(dir, "events.db"), "not a database ".repeat(50));
  try {
    new Database(join(dir, "events.db")).run("PRAGMA journal_mode = WAL");
    throw new Error("SQLite opened a file that is not a database");
  } catch (error) {
    return error as SQLiteError;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("startupFailure", () => {
  test("a message for the operator is the line as it is", () => {
    expect(startupFailure(new ConfigError("--port must be a whole number, not \"x\""), LISTEN)).toBe('--port must be a whole number, not "x"');
    expect(startupFailure(new Error("the event database was written by a newer Pulse"), LISTEN)).toBe("the event database was written by a newer Pulse");
  });

  test("a database SQLite cannot use, even wrapped, gets the path's message and a hint", () => {
    const cause = sqliteError();
    expect(cause).toBeInstanceOf(SQLiteError);
    const line = startupFailure(new Error("Cannot open the event database /data/events.db: file is not a database", { cause }), LISTEN);
    expect(line).toStartWith("Cannot open the event database /data/events.db: file is not a database (");
    expect(line).toContain("move it away");
  });

  test("the port: in use, privileged, or an address the machine does not have", () => {
    expect(startupFailure(systemError("EADDRINUSE", "listen"), LISTEN)).toBe(
      "port 3000 is already in use on 0.0.0.0: stop the program listening there, or choose another port with --port",
    );
    expect(startupFailure(systemError("EACCES", "listen"), { host: "::", port: 80 })).toStartWith("cannot listen on :::80: permission denied");
    expect(startupFailure(systemError("EADDRNOTAVAIL", "listen"), { host: "192.0.2.1", port: 80 })).toContain("check --host");
  });

  test("a file the system refuses gets a hint", () => {
    expect(startupFailure(systemError("EROFS", "open"), LISTEN)).toContain("choose another with --data");
  });

  test("a programming error anywhere in the chain, or a thrown non-Error, is a bug: no line, so it keeps its stack", () => {
    let typeError: unknown;
    try {
      (undefined as unknown as { x: number }).x;
    } catch (error) {
      typeError = error;
    }
    expect(startupFailure(typeError, LISTEN)).toBeNull();
    expect(startupFailure(new Error("Cannot open the event database x", { cause: new TypeError("oops") }), LISTEN)).toBeNull();
    expect(startupFailure(new RangeError("Maximum call stack size exceeded"), LISTEN)).toBeNull();
    expect(startupFailure(new ReferenceError("x is not defined"), LISTEN)).toBeNull();
    expect(startupFailure("a string", LISTEN)).toBeNull();
    expect(startupFailure(undefined, LISTEN)).toBeNull();
  });

  test("a cycle of causes ends", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(startupFailure(a, LISTEN)).toBe("a");
  });
});

