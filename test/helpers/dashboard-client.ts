import type { ServerFrame } from "../../src/core/wire/protocol.ts";

/** A dashboard socket for tests: records every frame from the first one on. */
export interface TestDashboard {
  socket: WebSocket;
  frames: ServerFrame[];
  raw: string[];
  /** Resolves with the first recorded frame (past or future) that matches, or rejects after `timeoutMs`. */
  waitFor<T extends ServerFrame>(match: (frame: ServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  closed: Promise<{ code: number; reason: string }>;
}

// Bun's WebSocket takes headers, so a test can present the Origin a browser would; the DOM
// typings (the dashboard is type-checked in the same project) only know the browser's signature.
const BunWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

/** `token` is sent as a Bearer header, as tools do (browsers use the session cookie instead). */
export function openDashboard(url: string, origin: string | undefined, token?: string): Promise<TestDashboard> {
  const headers: Record<string, string> = {};
  if (origin !== undefined) headers.Origin = origin;
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const options: Bun.WebSocketOptions = { headers };
  const socket = new BunWebSocket(url, options);
  const frames: ServerFrame[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  socket.addEventListener("message", (event) => {
    raw.push(String(event.data));
    frames.push(JSON.parse(String(event.data)) as ServerFrame);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  const waitFor = (match: (frame: ServerFrame) => boolean, timeoutMs = 5000) =>
    new Promise<ServerFrame>((resolve, reject) => {
      const check = () => {
        const found = frames.find(match);
        if (!found) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${raw.length} frames`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve({ socket, frames, raw, waitFor: waitFor as TestDashboard["waitFor"], closed }));
    socket.addEventListener("error", () => reject(new Error(`could not open ${url}`)));
  });
}

/** The HTTP status a rejected upgrade got, read with a raw request (WebSocket clients hide it). */
export async function upgradeStatus(url: string, { origin, token }: { origin?: string; token?: string } = {}): Promise<number> {
  const response = await fetch(url, {
    headers: {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...(origin ? { origin } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  await response.body?.cancel();
  return response.status;
}
