/**
 * HTTP over a raw TCP socket (Bun.connect), for requests fetch() refuses to send: lying
 * Content-Length, broken chunks, truncated or trickled heads, bytes that are not HTTP at all.
 * Every exchange ends within its timeout, whatever the server does.
 */
import type { Socket } from "bun";

export interface RawResponse {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface RawResult {
  /** The first whole response the server sent, if one arrived. */
  response?: RawResponse;
  /** The server ended the connection before the exchange was over. */
  closedByServer: boolean;
  /** Neither a whole response nor a close came within the timeout (we then closed it). */
  timedOut: boolean;
  ms: number;
}

/** Bytes in memory of their own (what fetch and sockets accept as a body). */
export type Bytes = Uint8Array<ArrayBuffer>;
export type Payload = string | Bytes;

export interface RawOptions {
  timeoutMs: number;
  /** Close our side right after sending (a client that gives up half-way). */
  hangUp?: boolean;
  /** The request is a HEAD: its response has no body whatever Content-Length says. */
  head?: boolean;
}

const encoder = new TextEncoder();

export function bytesOf(payload: Payload): Bytes {
  return typeof payload === "string" ? encoder.encode(payload) : payload;
}

/** Sends `payload`, then waits for one whole response, the server's close, or the timeout. */
export function rawExchange(port: number, payload: Payload, { timeoutMs, hangUp = false, head = false }: RawOptions): Promise<RawResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let received: Bytes = new Uint8Array(0);
    let socket: Socket | undefined;
    let settled = false;
    const finish = (outcome: Omit<RawResult, "ms" | "response">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.end();
      const response = parseResponse(received, head, true);
      resolve({ ...outcome, ...(response ? { response } : {}), ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ closedByServer: false, timedOut: true }), timeoutMs);
    const writer = queuedWriter(bytesOf(payload), () => {
      if (hangUp) socket?.end();
    });
    connectRaw(
      port,
      {
        open(opened) {
          socket = opened;
          writer.drain(opened);
        },
        drain: (opened) => writer.drain(opened),
        data(_, chunk) {
          received = concat(received, chunk);
          if (parseResponse(received, head, false)) finish({ closedByServer: false, timedOut: false });
        },
      },
      () => finish({ closedByServer: true, timedOut: false }),
    );
  });
}

/** What a raw client does with its connection while it is open. */
export interface RawHandlers {
  open(socket: Socket): void;
  data(socket: Socket, chunk: Uint8Array): void;
  drain?(socket: Socket): void;
}

/** Connects to 127.0.0.1:`port`; `ended` hears of a close, an error and a failed connect alike. */
export function connectRaw(port: number, handlers: RawHandlers, ended: () => void): void {
  Bun.connect({ hostname: "127.0.0.1", port, socket: { ...handlers, close: ended, error: ended, connectError: ended } }).catch(ended);
}

/** Writes a payload larger than the socket buffer in pieces, as the socket drains. */
export function queuedWriter(bytes: Uint8Array, onDone: () => void = () => {}) {
  let offset = 0;
  let done = false;
  return {
    drain(socket: Socket) {
      while (offset < bytes.length) {
        const written = socket.write(bytes.subarray(offset));
        if (written <= 0) return;
        offset += written;
      }
      if (!done) {
        done = true;
        onDone();
      }
    },
  };
}

export function concat(a: Uint8Array, b: Uint8Array): Bytes {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * The first response in `bytes` if it is complete: by Content-Length, by the chunked terminator,
 * without a body (HEAD, 1xx, 204, 304), or, for a response with neither, once the server closed.
 */
export function parseResponse(bytes: Uint8Array, head: boolean, closed: boolean): RawResponse | undefined {
  const text = new TextDecoder("latin1").decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // latin1 decodes one character per byte, so string offsets are byte offsets.
  const rest = bytes.subarray(end + 4);
  const decode = (body: Uint8Array) => new TextDecoder().decode(body);
  if (head || status < 200 || status === 204 || status === 304) return { status, headers, body: "" };
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    return rest.length >= length ? { status, headers, body: decode(rest.subarray(0, length)) } : undefined;
  }
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    return decode(rest).includes("0\r\n\r\n") || closed ? { status, headers, body: decode(rest) } : undefined;
  }
  return closed ? { status, headers, body: decode(rest) } : undefined;
}

export interface Trickle {
  /** Resolves when the trickle ended: `response` if the finished request was answered. */
  done: Promise<RawResult>;
}

/**
 * A slowloris client: sends `head` (an unfinished request head), then one byte of a header value
 * every `intervalMs` for `durationMs`, then finishes the request and waits `timeoutMs` for the answer.
 */
export function trickle(port: number, head: string, { intervalMs, durationMs, timeoutMs }: { intervalMs: number; durationMs: number; timeoutMs: number }): Trickle {
  const started = performance.now();
  const done = new Promise<RawResult>((resolve) => {
    let received: Bytes = new Uint8Array(0);
    let socket: Socket | undefined;
    let settled = false;
    let ticker: ReturnType<typeof setInterval> | undefined;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: Omit<RawResult, "ms" | "response">) => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(deadline);
      socket?.end();
      const response = parseResponse(received, false, true);
      resolve({ ...outcome, ...(response ? { response } : {}), ms: performance.now() - started });
    };
    connectRaw(
      port,
      {
        open(opened) {
          socket = opened;
          opened.write(`${head}X-Slow: `);
          ticker = setInterval(() => {
            if (performance.now() - started < durationMs) return void opened.write("a");
            clearInterval(ticker);
            opened.write("\r\nConnection: close\r\n\r\n");
            deadline = setTimeout(() => finish({ closedByServer: false, timedOut: true }), timeoutMs);
          }, intervalMs);
        },
        data(_, chunk) {
          received = concat(received, chunk);
          if (parseResponse(received, false, false)) finish({ closedByServer: false, timedOut: false });
        },
      },
      () => finish({ closedByServer: true, timedOut: false }),
    );
  });
  return { done };
}
