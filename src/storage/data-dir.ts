import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateToken, isValidToken, TOKEN_RULE } from "../server/access.ts";
import type { SaltState } from "../core/ingest/visitor-id.ts";

/** A data directory that cannot be used: start-up stops with this one line and exit code 2. */
export class DataDirError extends Error {}

export interface DataDir {
  path: string;
  eventsPath: string;
  tokenPath: string;
  token: string;
  /** True when the token was generated now, so the banner can say so. */
  tokenCreated: boolean;
  salts: SaltState | undefined;
  saveSalts(state: SaltState): void;
}

/**
 * The data directory: the event database, the access token (generated on first start, readable by
 * the owner only) and the visitor salts (kept so a restart does not turn every visitor into a new one).
 * A token given in the config wins over the stored one and is not written. Everything that would
 * stop the server later (a directory it cannot write, a token file it cannot use) stops it here.
 */
export function openDataDir(path: string, configuredToken: string | null): DataDir {
  const dir = resolve(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirError(`--data: cannot create ${dir}: ${reason(error)}`);
  }
  const eventsPath = join(dir, "events.db");
  requireAccess(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  if (existsSync(eventsPath)) requireAccess(eventsPath, constants.R_OK | constants.W_OK);
  const tokenPath = join(dir, "token");
  const saltsPath = join(dir, "salts.json");
  let token = configuredToken;
  let tokenCreated = false;
  if (token === null) {
    const stored = readText(tokenPath);
    if (stored === undefined) {
      token = generateToken();
      writeSecret(tokenPath, `${token}\n`);
      tokenCreated = true;
    } else {
      token = storedToken(tokenPath, stored);
    }
  }
  return {
    path: dir,
    eventsPath,
    tokenPath,
    token,
    tokenCreated,
    salts: readSalts(saltsPath),
    saveSalts: (state) => writeSecret(saltsPath, JSON.stringify(state)),
  };
}

/**
 * The token file's content, checked as --token is: a file someone emptied or mistyped stops the
 * server rather than being replaced (which would sign everyone out) or taken as it is.
 */
function storedToken(path: string, content: string): string {
  const token = content.trim();
  if (token === "") throw new DataDirError(`the token file ${path} is empty: delete it to have a new token generated, or write a token into it (${TOKEN_RULE})`);
  if (!isValidToken(token)) throw new DataDirError(`the token in ${path} is not valid: a token is ${TOKEN_RULE}; correct it, or delete the file to have a new one generated`);
  return token;
}

/** access(2) answers EROFS on a read-only file system even for root, whom file modes do not stop. */
function requireAccess(path: string, mode: number): void {
  try {
    accessSync(path, mode);
  } catch (error) {
    throw new DataDirError(`--data: cannot read and write ${path}: ${reason(error)}; make it writable by this user, or choose another directory with --data`);
  }
}

function readSalts(path: string): SaltState | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const state = JSON.parse(text) as SaltState;
    if (typeof state.day === "number" && typeof state.current === "string") return state;
  } catch {
    // A damaged salts file only costs new visitor ids: start afresh rather than refuse to start.
  }
  return undefined;
}

function readText(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new DataDirError(`--data: cannot read ${path}: ${reason(error)}`);
  }
}

/** Written whole or not at all (rename is atomic), readable by the owner only. */
function writeSecret(path: string, content: string): void {
  try {
    writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
    chmodSync(`${path}.tmp`, 0o600);
    renameSync(`${path}.tmp`, path);
  } catch (error) {
    throw new DataDirError(`--data: cannot write ${path}: ${reason(error)}`);
  }
}

/** "EROFS: read-only file system", without the call and path Node adds after a comma. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return "code" in error ? error.message.split(",")[0]! : error.message;
}
