/**
 * The smallest Socket.IO client a load generator needs: Engine.IO v4 over a plain WebSocket (no
 * polling, no reconnection, default namespace only, no acks, no binary). Dependency-free; runs in
 * Bun (and browsers) on the global WebSocket. Protocol:
 * https://socket.io/docs/v4/engine-io-protocol/ and https://socket.io/docs/v4/socket-io-protocol/
 */

export interface SocketIoClient {
  /** The Socket.IO session id from the server's `40{"sid":…}`. */
  readonly sid: string;
  /** Calls `listener` for every `42["name",data]` event; events that arrived before the first listener are replayed to it. */
  onEvent(listener: (name: string, data: unknown) => void): void;
  /** Resolves once the socket closes, for whatever reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/**
 * `url` is the full Engine.IO URL, e.g. `ws://host:port/socket.io/?EIO=4&transport=websocket&site=a.test`.
 * Resolves once the default namespace is joined; rejects on a refused or failed handshake.
 */
export function connectSocketIo(url: string, { timeoutMs = 5000 } = {}): Promise<SocketIoClient> {
  const socket = new WebSocket(url);
  const listeners: ((name: string, data: unknown) => void)[] = [];
  let early: [string, unknown][] | null = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`socket.io ${url}: ${why}`));
      socket.close();
    };
    const timer = setTimeout(() => fail(`no handshake within ${timeoutMs} ms`), timeoutMs);
    socket.addEventListener("error", () => fail("connection failed"));
    void closed.then(({ code }) => fail(`closed (${code}) during the handshake`));

    socket.addEventListener("message", ({ data }) => {
      // Over WebSocket each frame is one Engine.IO packet: its first character is the type.
      const packet = String(data);
      if (packet === "2") return socket.send("3"); // ping: answer within pingTimeout or be dropped
      if (packet.startsWith("42")) return dispatch(packet);
      if (packet.startsWith("0")) return socket.send("40"); // Engine.IO open: join the default namespace
      if (packet.startsWith("40")) {
        settled = true;
        clearTimeout(timer);
        const { sid } = JSON.parse(packet.slice(2)) as { sid: string };
        return resolve({ sid, onEvent, closed, close: () => socket.close() });
      }
      if (packet.startsWith("44")) return fail(`connect_error ${packet.slice(2)}`);
      if (packet === "41" || packet === "1") socket.close(); // namespace or Engine.IO close
    });
  });

  function dispatch(packet: string) {
    const [name, data] = JSON.parse(packet.slice(2)) as [string, unknown];
    if (early) early.push([name, data]);
    else for (const listener of listeners) listener(name, data);
  }

  function onEvent(listener: (name: string, data: unknown) => void) {
    listeners.push(listener);
    if (!early) return;
    const replay = early;
    early = null;
    for (const [name, data] of replay) listener(name, data);
  }
}
