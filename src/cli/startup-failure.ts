/** Where the server was asked to listen, to name it when it cannot. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * The one line (without the `pulse: ` prefix) that tells the operator why the server could not
 * start, or null for a bug, which keeps its stack. A bug is a programming error (TypeError,
 * ReferenceError, RangeError) anywhere in the chain of causes, or a thrown value that is no Error.
 * Everything else is the world refusing: a file or a port the system denies (an errno code), a
 * database SQLite cannot use, or a message this program wrote for the operator (a bad option, a
 * database from a newer version, a worker that could not start); those get a hint where one helps.
 */
export function startupFailure(error: unknown, listen?: ListenAddress): string | null {
  if (!(error instanceof Error)) return null;
  const chain = causes(error);
  if (chain.some((link) => link instanceof TypeError || link instanceof ReferenceError || link instanceof RangeError)) return null;
  const code = chain.map(codeOf).find((found) => found !== undefined);
  const system = chain.find((link) => (link as { syscall?: unknown }).syscall === "listen");
  if (system && listen) return listenFailure(codeOf(system), listen, system.message);
  const hint = code === undefined ? undefined : HINTS[code];
  return hint ? `${error.message} (${hint})` : error.message;
}

const WRITABLE = "make the data directory and its files readable and writable by this user, or choose another with --data";
const HINTS: Record<string, string> = {
  SQLITE_NOTADB: "it is damaged or not an event database: move it away to start with an empty one, or put a backup in its place",
  SQLITE_CORRUPT: "it is damaged: move it away to start with an empty one, or put a backup in its place",
  SQLITE_CANTOPEN: `it must be a file this user can read and write: ${WRITABLE}`,
  SQLITE_READONLY: WRITABLE,
  SQLITE_PERM: WRITABLE,
  SQLITE_BUSY: "another process holds it locked: is another Pulse running on this data directory?",
  SQLITE_FULL: "the disk is full",
  EROFS: WRITABLE,
  EACCES: WRITABLE,
  EPERM: WRITABLE,
  ENOSPC: "the disk is full",
};

function listenFailure(code: string | undefined, { host, port }: ListenAddress, message: string): string {
  switch (code) {
    case "EADDRINUSE":
      return `port ${port} is already in use on ${host}: stop the program listening there, or choose another port with --port`;
    case "EACCES":
    case "EPERM":
      return `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges: use a higher --port, or grant CAP_NET_BIND_SERVICE)`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${host}: this machine has no such address (check --host)`;
    default:
      return `cannot listen on ${host}:${port}: ${message}`;
  }
}

/** The error, its cause, the cause's cause… (bounded: causes can form a cycle). */
function causes(error: Error): Error[] {
  const chain = [error];
  for (let link: unknown = error.cause; link instanceof Error && chain.length < 10; link = link.cause) chain.push(link);
  return chain;
}

/** An errno code (EACCES) or SQLite's (SQLITE_NOTADB, from bun:sqlite or better-sqlite3): both are strings on `code`. */
function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^(E[A-Z0-9]+|SQLITE_[A-Z_]+)$/.test(code) ? code : undefined;
}
