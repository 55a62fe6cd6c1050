/**
 * Runs `pulse serve` from source as a child process on a free port, for tests that need a real
 * server (browser tests). Resolves once the banner prints the dashboard URL.
 */
import type { Subprocess } from "bun";

const ROOT = new URL("../../", import.meta.url).pathname;
const DASHBOARD_LINE = /Dashboard:\s+(https?:\/\/\S+?\/)\s/;

export interface ServerProcess {
  /** The dashboard's URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** More `serve` flags; they come after the defaults, so they win. */
  args?: string[];
  timeoutMs?: number;
  /** What to run instead of `bun src/main.ts` (e.g. the compiled binary), and where. */
  command?: string[];
  cwd?: string;
}

export async function startServer({
  args = [],
  timeoutMs = 10_000,
  // process.execPath is the bun running the tests.
  command = [process.execPath, "src/main.ts"],
  cwd = ROOT,
}: StartOptions = {}): Promise<ServerProcess> {
  // Loopback only: tests never listen on the network.
  const child = Bun.spawn([...command, "serve", "--port", "0", "--host", "127.0.0.1", ...args], {
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

  const stop = () => stopChild(child);
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
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
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
