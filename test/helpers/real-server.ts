import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";

export interface TestServer {
  server: RunningServer;
  /** http://127.0.0.1:<port> */
  base: string;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
}

/** A single process on a free port, with a memory store and a placeholder page. */
export function startTestServer(token: string, tickMs: number): TestServer {
  const server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(tickMs)], {}), {
    files: { "/index.html": { contentType: "text/html", body: "<h1>Pulse</h1>" } },
    store: createMemoryStore(),
    token,
  });
  return { server, base: `http://127.0.0.1:${server.port}`, wsBase: `ws://127.0.0.1:${server.port}` };
}
