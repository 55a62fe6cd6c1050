/**
 * A real PostgreSQL 15 (Debian's `postgresql` package) as a child of the test: a fresh cluster made
 * by `initdb` in a temporary directory, listening on a free loopback port only, stopped by its pid
 * and removed. PostgreSQL refuses to run as root: under root, `initdb` and the server run as the
 * `postgres` user (setpriv execs, so the pid is the server's own). `.ci/run` installs it; where it
 * is not installed, tests that need it skip, saying so.
 */
import type { Subprocess } from "bun";
import { SQL } from "bun";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { userInfo } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/local/bin", "/usr/bin"];

/** The directory holding initdb and postgres, or null. */
export function postgresBinaries(): string | null {
  return BIN_DIRS.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) ?? null;
}

export const POSTGRES_MISSING = "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)";

export interface PostgresProcess {
  /** postgres://postgres:…@127.0.0.1:port/pulse */
  url: string;
  pid: number;
  /** SIGKILL: gone at once, as a crash would leave it (its data stays: `restart` recovers it). */
  kill(): Promise<void>;
  /** A clean stop that keeps the data, to `restart` later (a database "stopped for 10 s"). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

/** Runs as the `postgres` user when this process is root (PostgreSQL refuses root). */
function asPostgres(argv: string[]): string[] {
  return userInfo().uid === 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", ...argv] : argv;
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sql = new SQL(url, { max: 1, connectionTimeout: 1 });
    try {
      await sql`SELECT 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer at ${url}: ${String(error)}`);
    } finally {
      await sql.close({ timeout: 0 });
    }
    await Bun.sleep(100);
  }
}

/** `password`: the `postgres` user's (a random one when not given). */
export async function startPostgres(timeoutMs = 30_000, password: string = crypto.randomUUID()): Promise<PostgresProcess> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const root = mkdtempSync(join(tmpdir(), "pulse-pg-"));
  const data = join(root, "data");
  if (userInfo().uid === 0) chownSync(root, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim()), Number(Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim()));
  const passwordFile = join(root, "password");
  await Bun.write(passwordFile, password);
  if (userInfo().uid === 0) chownSync(passwordFile, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim()), 0);
  const init = Bun.spawnSync(asPostgres([join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${passwordFile}`, "-E", "UTF8", "--no-sync"]), { stdout: "pipe", stderr: "pipe" });
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  const port = freePort();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  let child: Subprocess;
  const spawn = async () => {
    child = Bun.spawn(
      asPostgres([join(bin, "postgres"), "-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", root, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
      { stdout: "ignore", stderr: "ignore" },
    );
    await waitForServer(url, timeoutMs);
  };
  await spawn();
  const database = `${url.slice(0, url.lastIndexOf("/"))}/pulse`;
  const admin = new SQL(url, { max: 1 });
  await admin`CREATE DATABASE pulse`;
  await admin.close();
  const stopChild = async (signal: "SIGKILL" | "SIGINT") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT: PostgreSQL's fast shutdown (clients cut, data kept).
    child.kill(signal);
    await child.exited;
  };
  return {
    url: database,
    get pid() {
      return child.pid;
    },
    kill: () => stopChild("SIGKILL"),
    pause: () => stopChild("SIGINT"),
    restart: spawn,
    async stop() {
      await stopChild("SIGINT");
      rmSync(root, { recursive: true, force: true });
    },
  };
}
