/** Starting the servers the benchmark compares, each in its own process on a free port. */
import type { Subprocess } from "bun";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type ServerName = "pulse" | "naive" | "socketio" | "bare";

export const ROOT = new URL("../", import.meta.url).pathname;
export const TOKEN = "benchmark-token-0123456789";
export const TICK_MS = 250;

/** The artifact users run, when it is built; else the same code from source. */
export function pulseCommand(): string[] {
  const binary = join(ROOT, "dist/pulse");
  return existsSync(binary) ? [binary] : [process.execPath, join(ROOT, "src/main.ts")];
}

export interface RunningServer {
  name: ServerName;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchServer(name: ServerName): Promise<RunningServer> {
  const data = mkdtempSync(join(tmpdir(), "pulse-bench-"));
  const commands: Record<ServerName, string[]> = {
    pulse: [...pulseCommand(), "serve", "--port", "0", "--host", "0.0.0.0", "--data", data, "--token", TOKEN, "--tick-ms", String(TICK_MS), "--workers", "1"],
    naive: [process.execPath, join(ROOT, "bench/baselines/naive-bun-server.ts"), "--port", "0"],
    socketio: ["node", join(ROOT, "bench/baselines/socketio-server.mjs"), "--port", "0"],
    bare: [process.execPath, join(ROOT, "bench/baselines/bare-202-server.ts"), "--port", "0"],
  };
  const child: Subprocess<"ignore", "pipe", "inherit"> = Bun.spawn(commands[name], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const port = await readPort(child.stdout);
  return {
    name,
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!exited) child.kill("SIGKILL");
      await child.exited;
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Pulse's banner says `listening on 0.0.0.0:PORT`; the baselines say `listening on PORT`. */
async function readPort(stdout: ReadableStream<Uint8Array>): Promise<number> {
  const decoder = new TextDecoder();
  let text = "";
  const reader = stdout.getReader();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const port = /listening on (?:[\d.:]+:)?(\d+)/.exec(text)?.[1];
    if (port) {
      // Keep draining so a chatty server never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return Number(port);
    }
  }
  throw new Error(`server printed no port: ${text}`);
}
