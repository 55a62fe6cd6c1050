/**
 * The compiled binary at start-up: a mistake the operator can fix (a damaged database, a read-only
 * data directory, a port in use, a bad token file) is one line on stderr and exit code 2, with
 * any number of workers; and the access token reaches the log only on the start that created it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./helpers/server-process.ts";

const BINARY = new URL("../dist/pulse", import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  if (!existsSync(BINARY)) throw new Error("dist/pulse is missing: run `npm run build` (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "pulse-startup-"));
  copyFileSync(BINARY, join(dir, "pulse"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** `./pulse serve …` on a free port, given 8 s: a server that starts anyway is killed and fails the test. */
function run(args: string[], prefix: string[] = []): Run {
  const child = Bun.spawnSync([...prefix, "./pulse", "serve", "--port", "0", "--host", "127.0.0.1", ...args], { cwd: dir, timeout: 8_000 });
  return { exitCode: child.exitCode, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
}

/** One line on stderr, starting `pulse: `, nothing from a stack trace, exit code 2. */
function expectOneLine(result: Run, says: RegExp): void {
  const lines = result.stderr.trim().split("\n");
  expect({ exitCode: result.exitCode, lines }).toEqual({ exitCode: 2, lines: [expect.stringMatching(/^pulse: /)] });
  expect(lines[0]).toMatch(says);
  expect(result.stdout).not.toContain("listening");
}

function dataDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe.each([1, 2])("start-up failures with --workers %d", (workers) => {
  const serve = (args: string[], prefix: string[] = []) => run([...args, "--workers", String(workers)], prefix);

  test("an events.db that is not a database", () => {
    const data = dataDir(`garbage-${workers}`);
    writeFileSync(join(data, "events.db"), "this is not a database, only text that is long enough to have a header\n".repeat(20));
    expectOneLine(serve(["--data", data]), /events\.db.*not a database/);
  });

  test("an events.db that is a directory", () => {
    const data = dataDir(`directory-${workers}`);
    mkdirSync(join(data, "events.db"));
    expectOneLine(serve(["--data", data]), /events\.db/);
  });

  test("a data directory under a regular file", () => {
    writeFileSync(join(dir, `file-${workers}`), "");
    expectOneLine(serve(["--data", join(dir, `file-${workers}`, "data")]), /--data: .*not a directory/);
  });

  test("a port in use", async () => {
    const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const data = dataDir(`port-${workers}`);
      const result = run(["--data", data, "--workers", String(workers), "--port", String(taken.port)]);
      expectOneLine(result, new RegExp(`port ${taken.port}.*in use`));
      // The token it made was never shown: it is gone, so the next start makes one and shows it.
      expect(existsSync(join(data, "token"))).toBe(false);
    } finally {
      taken.stop(true);
    }
  });

  // Tests run as root, whom file modes do not stop: the data directory is bind-mounted read-only
  // in a mount namespace of its own (unshare), which needs no privileges beyond a user namespace.
  const readOnly = (data: string) => ["unshare", "-rm", "sh", "-c", `mount --bind "${data}" "${data}" && mount -o remount,ro,bind "${data}" && exec "$0" "$@"`];
  test.skipIf(!canUnshare())("a data directory on a read-only file system, empty or in use before", async () => {
    const empty = dataDir(`read-only-empty-${workers}`);
    expectOneLine(serve(["--data", empty], readOnly(empty)), /read-only/);
    const used = dataDir(`read-only-used-${workers}`);
    const first = await startServer({ command: ["./pulse"], cwd: dir, dataDir: used });
    await first.stop();
    expectOneLine(serve(["--data", used], readOnly(used)), /read-only/);
  });
});

function canUnshare(): boolean {
  try {
    return Bun.spawnSync(["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount -t tmpfs none /mnt"]).exitCode === 0;
  } catch {
    return false;
  }
}

describe("the token file", () => {
  test.each([
    ["ab cd\n", /token in .*token is not valid.*at least 16 printable characters without spaces.*delete/],
    ["", /token file .*token is empty.*delete it/],
    ["\n", /token file .*token is empty.*delete it/],
  ])("%j stops start-up with one line and is left as it was", (content, says) => {
    const data = dataDir(`token-${says.source.length}-${content.length}`);
    writeFileSync(join(data, "token"), content);
    expectOneLine(run(["--data", data, "--workers", "1"]), says);
    expect(readFileSync(join(data, "token"), "utf8")).toBe(content);
  });

  test("the banner shows the token on the start that created it only", async () => {
    const data = dataDir("banner");
    const first = await startServer({ command: ["./pulse"], cwd: dir, dataDir: data });
    await first.stop();
    expect(first.output()).toContain(`?token=${first.token}`);
    const second = await startServer({ command: ["./pulse"], cwd: dir, dataDir: data });
    await second.stop();
    expect(second.token).toBe(first.token);
    expect(second.output()).not.toContain(first.token);
    expect(second.output()).toContain(`Dashboard:  ${second.url}  (token in ${join(data, "token")})`);
  });
});

describe("the session cookie", () => {
  test("a cookie issued under one token does not open the dashboard after a restart with another", async () => {
    const data = dataDir("sessions");
    const tokenA = "first-token-0123456789";
    const before = await startServer({ command: ["./pulse"], cwd: dir, dataDir: data, args: ["--token", tokenA] });
    let cookie: string;
    try {
      const signIn = await fetch(before.signedIn("/"), { redirect: "manual" });
      cookie = signIn.headers.getSetCookie().find((line) => !/Max-Age=0/.test(line))!.split(";")[0]!;
      expect(cookie).not.toContain(tokenA);
      expect((await fetch(before.url, { headers: { cookie } })).status).toBe(200);
    } finally {
      await before.stop();
    }
    const after = await startServer({ command: ["./pulse"], cwd: dir, dataDir: data, args: ["--token", "second-token-0123456789"] });
    try {
      expect((await fetch(after.url, { headers: { cookie } })).status).toBe(401);
      expect(after.output()).not.toContain("second-token-0123456789");
    } finally {
      await after.stop();
    }
  });
});
