/** Starting the servers the benchmark compares, each in its own process on a free port. */
import type { Subprocess } from "bun";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** pulse-wN: Pulse with --workers N (a primary and N worker processes on one port); pulse-node: Pulse on Node.js and uWebSockets.js. */
export type ServerName = "pulse" | "pulse-w2" | "pulse-w6" | "pulse-w8" | "pulse-node" | "naive" | "socketio" | "bare" | "floor";

export const WORKERS: Partial<Record<ServerName, number>> = { "pulse-w2": 2, "pulse-w6": 6, "pulse-w8": 8 };

export const ROOT = new URL("../", import.meta.url).pathname;
export const TOKEN = "benchmark-token-0123456789";
export const TICK_MS = 250;
/** The site of the load test's live widgets: every Pulse the benchmark starts lets it have them. */
export const WIDGET_SITE = "widgets.bench.test";

export interface ServerOptions {
  tickMs: number;
  /** Seconds, Pulse's --live-interval (and the floor's). */
  liveInterval: number;
  /** The floor's frames: the sizes of Pulse's in the same scenario. */
  frameBytes?: number;
  widgetFrameBytes?: number;
  /** Another build of Pulse than dist/pulse, e.g. to run an earlier commit's beside this one. */
  pulseBinary?: string;
}

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

export async function startBenchServer(name: ServerName, options: ServerOptions): Promise<RunningServer> {
  const { tickMs, liveInterval } = options;
  const data = mkdtempSync(join(tmpdir(), "pulse-bench-"));
  const pulse = (workers: number, command = options.pulseBinary ? [options.pulseBinary] : pulseCommand()) => [
    ...command,
    "serve", "--port", "0", "--host", "0.0.0.0", "--data", data, "--token", TOKEN, "--tick-ms", String(tickMs), "--workers", String(workers),
    // Every widget of the load test comes from this machine's few addresses.
    "--live-site", WIDGET_SITE, "--live-interval", String(liveInterval), "--max-widgets-per-ip", "0",
  ];
  const commands: Record<ServerName, string[]> = {
    pulse: pulse(1),
    "pulse-w2": pulse(2),
    "pulse-w6": pulse(6),
    "pulse-w8": pulse(8),
    "pulse-node": pulse(1, ["node", join(ROOT, "dist/pulse-node.mjs")]),
    naive: [process.execPath, join(ROOT, "bench/baselines/naive-bun-server.ts"), "--port", "0"],
    socketio: ["node", join(ROOT, "bench/baselines/socketio-server.mjs"), "--port", "0"],
    bare: [process.execPath, join(ROOT, "bench/baselines/bare-202-server.ts"), "--port", "0"],
    floor: [
      process.execPath, join(ROOT, "bench/baselines/floor-server.ts"), "--port", "0", "--tick-ms", String(tickMs), "--live-interval", String(liveInterval),
      "--frame-bytes", String(Math.round(options.frameBytes ?? 1000)), "--widget-frame-bytes", String(Math.round(options.widgetFrameBytes ?? 3)),
    ],
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
