import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateToken } from "../core/access.ts";
import type { SaltState } from "../core/visitor-id.ts";

/** A data directory that cannot be used: start-up stops with this one line and exit code 2. */
export class DataDirError extends Error {}

export interface DataDir {
  path: string;
  eventsPath: string;
  token: string;
  /** True when the token was generated now, so the banner can say so. */
  tokenCreated: boolean;
  salts: SaltState | undefined;
  saveSalts(state: SaltState): void;
}

/**
 * The data directory: the event database, the access token (generated on first start, readable by
 * the owner only) and the visitor salts (kept so a restart does not turn every visitor into a new one).
 * A token given in the config wins over the stored one and is not written.
 */
export function openDataDir(path: string, configuredToken: string | null): DataDir {
  const dir = resolve(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirError(`--data: cannot create ${dir}: ${reason(error)}`);
  }
  const tokenPath = join(dir, "token");
  const saltsPath = join(dir, "salts.json");
  let token = configuredToken;
  let tokenCreated = false;
  if (token === null) {
    token = readText(tokenPath)?.trim() || null;
    if (!token) {
      token = generateToken();
      writeSecret(tokenPath, `${token}\n`);
      tokenCreated = true;
    }
  }
  return {
    path: dir,
    eventsPath: join(dir, "events.db"),
    token,
    tokenCreated,
    salts: readSalts(saltsPath),
    saveSalts: (state) => writeSecret(saltsPath, JSON.stringify(state)),
  };
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

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
