/**
 * A real redis-server (Debian's `redis-server`, or Valkey's) as a child of the test, on a free
 * loopback port, without persistence, stopped by its pid. `.ci/run` installs it; where it is not
 * installed, tests that need it skip, saying so.
 */
import { RedisClient, type Subprocess } from "bun";
import { freePort } from "./free-port.ts";

const CANDIDATES = ["redis-server", "valkey-server"];

/** The server binary on PATH (or in /usr/bin, /usr/sbin), or null. */
export function redisServerBinary(): string | null {
  for (const name of CANDIDATES) {
    const found = Bun.which(name, { PATH: `${process.env.PATH ?? ""}:/usr/bin:/usr/sbin:/usr/local/bin` });
    if (found) return found;
  }
  return null;
}

export const REDIS_MISSING = "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)";

export interface RedisProcess {
  url: string;
  pid: number;
  /** SIGKILL: the server is gone at once, as a crash would leave it. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was saved). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new RedisClient(url, { autoReconnect: false, connectionTimeout: 500 });
    try {
      if ((await client.send("PING", [])) === "PONG") return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer at ${url}: ${String(error)}`);
    } finally {
      client.close();
    }
    await Bun.sleep(50);
  }
}

/** `password`: clients must give it (requirepass), in the URL as redis://:password@host:port. */
export async function startRedis(timeoutMs = 10_000, password?: string): Promise<RedisProcess> {
  const binary = redisServerBinary();
  if (!binary) throw new Error(REDIS_MISSING);
  const port = freePort();
  const url = password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  let child: Subprocess;
  const spawn = async () => {
    child = Bun.spawn([binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...(password ? ["--requirepass", password] : [])], {
      stdout: "ignore",
      stderr: "ignore",
    });
    await waitForPing(url, timeoutMs);
  };
  await spawn();
  return {
    url,
    get pid() {
      return child.pid;
    },
    async kill() {
      child.kill("SIGKILL");
      await child.exited;
    },
    restart: spawn,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}
