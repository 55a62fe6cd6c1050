/**
 * `pulse serve` given a Redis or PostgreSQL it cannot use: it stops at start with one line naming
 * the server (host, port, database) and never the password, and exit code 2, like any start-up
 * failure. Against real servers that refuse the password; skipped, saying why, where none is
 * installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_MISSING, postgresBinaries, startPostgres, type PostgresProcess } from "../helpers/postgres-server.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const WRONG = "wrong-s3cret-password";
const missing = redisServerBinary() ? (postgresBinaries() ? undefined : POSTGRES_MISSING) : REDIS_MISSING;
if (missing) console.warn(`start-up with Redis and PostgreSQL skipped: ${missing}`);

let redis: RedisProcess;
let postgres: PostgresProcess;
let data: string;
beforeAll(async () => {
  if (missing) return;
  data = mkdtempSync(join(tmpdir(), "pulse-refused-"));
  redis = await startRedis(10_000, "the-right-one");
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  await postgres?.stop();
  if (data) rmSync(data, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<{ code: number; output: string }> {
  const child = Bun.spawn([process.execPath, "src/main.ts", "serve", "--port", "0", "--host", "127.0.0.1", "--data", data, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, output: stdout + stderr };
}

describe.skipIf(missing !== undefined)("a Redis or PostgreSQL that refuses", () => {
  test("PostgreSQL refusing the password: one line naming the server, not the password, exit 2", async () => {
    const { port } = new URL(postgres.url);
    const { code, output } = await serve(["--database", `postgres://postgres:${WRONG}@127.0.0.1:${port}/pulse`]);
    expect(code).toBe(2);
    expect(output).toContain(`pulse: cannot use PostgreSQL at postgres://127.0.0.1:${port}/pulse:`);
    expect(output).not.toContain(WRONG);
  }, 30_000);

  test("Redis refusing the password: one line naming the server, not the password, exit 2", async () => {
    const { port } = new URL(redis.url);
    const { code, output } = await serve(["--redis", `redis://:${WRONG}@127.0.0.1:${port}`]);
    expect(code).toBe(2);
    expect(output).toContain(`pulse: cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(output).not.toContain(WRONG);
  }, 30_000);
});
