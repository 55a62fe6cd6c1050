import { startSingleProcess } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { startServer } from "./server-process.ts";
import type { Runtime } from "./transports.ts";

export interface TestServer {
  server: { stop(): Promise<void> };
  /** http://127.0.0.1:<port> */
  base: string;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
}

/**
 * A single process on a free port. On Bun, in this process, with a memory store and a placeholder
 * page; on Node.js (uWebSockets.js), a child process with its own data directory.
 */
export async function startTestServer(token: string, tickMs: number, runtime: Runtime = "bun"): Promise<TestServer> {
  if (runtime === "node") {
    const child = await startServer({ runtime, args: ["--token", token, "--tick-ms", String(tickMs)] });
    const base = child.url.replace(/\/$/, "");
    return { server: child, base, wsBase: base.replace(/^http/, "ws") };
  }
  const server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(tickMs)], {}), {
    files: { "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" } },
    store: createMemoryStore(),
    token,
  });
  return { server, base: `http://127.0.0.1:${server.port}`, wsBase: `ws://127.0.0.1:${server.port}` };
}
