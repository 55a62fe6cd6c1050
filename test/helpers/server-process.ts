/**
 * Runs `pulse serve` as a child process on a free port, for tests that need a real server in its
 * own process (browser tests, the binary, restarts). Resolves once the banner prints the dashboard
 * URL; the token is the one given with --token, or else the one in the data directory, as an operator
 * would find it (the banner shows it only on the start that created it).
 */
import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { openDashboard, type TestDashboard } from "./dashboard-client.ts";
import { nodeCommand, type Runtime } from "./transports.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DASHBOARD_LINE = /Dashboard:\s+(https?:\/\/[^\s/]+\/)/;

export interface ServerProcess {
  /** The server's base URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  /** The access token: --token's, or the one in the data directory. */
  token: string;
  /** The data directory (a temporary one unless the args name one). */
  dataDir: string;
  /** `path` on this server with the token, as the first start's banner link: a browser opening it is signed in. */
  signedIn(path: string): string;
  /** A dashboard socket for `site` (null: the site list), with the right Origin and the token. */
  dashboard(site: string | null): Promise<TestDashboard>;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** The process, for tests that signal it themselves. */
  child: Subprocess;
  /** SIGTERM, then SIGKILL after 5 s; removes a temporary data directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** More `serve` flags; they come after the defaults, so they win. */
  args?: string[];
  timeoutMs?: number;
  /** What to run instead of `bun src/main.ts` (e.g. the compiled binary), and where. */
  command?: string[];
  /** "node": Pulse on Node.js and uWebSockets.js (dist/pulse-node.mjs), unless `command` says otherwise. */
  runtime?: Runtime;
  cwd?: string;
  /** Use this data directory and leave it in place (e.g. to restart on it). */
  dataDir?: string;
  /** Start under this open-file limit, as `ulimit -n` or systemd's LimitNOFILE would set it. */
  openFiles?: number;
}

export async function startServer({
  args = [],
  timeoutMs = 10_000,
  runtime = "bun",
  // process.execPath is the bun running the tests.
  command = runtime === "node" ? nodeCommand() : [process.execPath, "src/main.ts"],
  cwd = ROOT,
  dataDir,
  openFiles,
}: StartOptions = {}): Promise<ServerProcess> {
  const temporary = dataDir === undefined;
  const data = dataDir ?? mkdtempSync(join(tmpdir(), "pulse-data-"));
  // One process unless a test asks for workers: most tests read one process's metrics and limits.
  const workers = args.some((arg) => arg.startsWith("--workers")) ? [] : ["--workers", "1"];
  // Loopback only: tests never listen on the network.
  const argv = [...command, "serve", "--port", "0", "--host", "127.0.0.1", "--data", data, ...workers, ...args];
  const limited = openFiles === undefined ? argv : ["sh", "-c", `ulimit -n ${openFiles} && exec "$@"`, "sh", ...argv];
  const child = Bun.spawn(limited, {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  let onOutput = () => {};
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      onOutput();
    }
  };
  // Keep reading after start-up too, so a chatty server never blocks on a full pipe.
  void drain(child.stdout);
  void drain(child.stderr);

  const stop = async () => {
    await stopChild(child);
    if (temporary) rmSync(data, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server printed no dashboard URL within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      onOutput = () => {
        const match = DASHBOARD_LINE.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with code ${code} before it was ready:\n${output}`));
      });
      onOutput();
    });
    const token = givenToken(args) ?? readFileSync(resolvePath(cwd, data, "token"), "utf8").trim();
    const origin = url.replace(/\/$/, "");
    return {
      url,
      token,
      dataDir: data,
      child,
      signedIn: (path) => `${origin}${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`,
      dashboard: (site) => openDashboard(`${origin.replace("http", "ws")}/ws${site === null ? "" : `?site=${site}`}`, origin, token),
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The last --token in the arguments, as the server reads them. */
function givenToken(args: string[]): string | undefined {
  let token: string | undefined;
  args.forEach((arg, i) => {
    if (arg === "--token") token = args[i + 1];
    else if (arg.startsWith("--token=")) token = arg.slice("--token=".length);
  });
  return token;
}

async function stopChild(child: Subprocess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5_000).then(() => false)]);
  if (!exited) {
    child.kill("SIGKILL");
    await child.exited;
  }
}
