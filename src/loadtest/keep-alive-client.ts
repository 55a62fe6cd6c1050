/**
 * HTTP/1.1 requests over a few kept-alive raw TCP connections, for the load generator's pageviews.
 * `fetch` costs the generator about 90 µs of CPU a request here, so at 5,000 pageviews a second
 * the generator took a fifth of a 2-core machine from the server it measures; writing prepared
 * bytes and reading only the status line and the body's length costs a fraction of that.
 *
 * Each connection carries one request at a time (its latency is the server's, not a queue's); the
 * requests wait in order for a free connection. A connection the server closes is opened again
 * for the next request; the request it carried fails.
 */
import type { Socket } from "bun";

const ASCII = new TextDecoder("latin1");
const UTF8 = new TextEncoder();
const HEADER_END = "\r\n\r\n";

export interface PreparedRequest {
  /** The request's bytes: request line, headers (Host and Content-Length included) and body. */
  bytes: Uint8Array;
  /** Called with the status, or with null when the connection failed before an answer came. */
  done: (status: number | null) => void;
}

/** A POST with a body, ready to write. */
export function postRequest(url: URL, body: string, headers: Record<string, string>): Uint8Array {
  const payload = UTF8.encode(body);
  const lines = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${payload.length}`,
  ];
  const head = UTF8.encode(`${lines.join("\r\n")}${HEADER_END}`);
  const bytes = new Uint8Array(head.length + payload.length);
  bytes.set(head);
  bytes.set(payload, head.length);
  return bytes;
}

/**
 * Reads HTTP/1.1 responses from a byte stream: the status of each, once its body (sized by
 * Content-Length, or chunked) has been read whole. Null when a response cannot be read.
 */
export class ResponseReader {
  private reading: "head" | "sized" | "chunked" = "head";
  /** The head read so far, or the chunked body read so far. */
  private text = "";
  private bodyLeft = 0;
  private status = 0;
  private closing = false;

  /** `closing`: the server said it closes the connection after this response. */
  constructor(private readonly onResponse: (status: number | null, closing: boolean) => void) {}

  push(chunk: Uint8Array): void {
    let text = ASCII.decode(chunk);
    while (text.length > 0) {
      if (this.reading === "sized") {
        const take = Math.min(this.bodyLeft, text.length);
        this.bodyLeft -= take;
        text = text.slice(take);
        if (this.bodyLeft === 0) this.finish();
        continue;
      }
      this.text += text;
      // The responses here are small: a chunked body is kept whole until its last chunk (size 0).
      const end = this.reading === "head" ? headEnd(this.text) : chunkedEnd(this.text);
      if (end === -1) return;
      text = this.text.slice(end);
      const head = this.text.slice(0, end);
      this.text = "";
      if (this.reading === "chunked") this.finish();
      else if (!this.startBody(head)) return this.onResponse(null, true);
    }
  }

  /** Reads the status and how the body is sized; false when this is no HTTP response. */
  private startBody(head: string): boolean {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) return false;
    this.status = Number(status[1]);
    this.closing = /\r\nconnection: *close/i.test(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length && /\r\ntransfer-encoding: *chunked/i.test(head)) this.reading = "chunked";
    else if (length && Number(length[1]) > 0) {
      this.reading = "sized";
      this.bodyLeft = Number(length[1]);
    } else this.finish();
    return true;
  }

  private finish(): void {
    this.reading = "head";
    this.onResponse(this.status, this.closing);
  }
}

function headEnd(text: string): number {
  const at = text.indexOf(HEADER_END);
  return at === -1 ? -1 : at + HEADER_END.length;
}

/** Where a chunked body ends (after its size-0 chunk), or -1 while it goes on. */
function chunkedEnd(text: string): number {
  if (text.startsWith(`0${HEADER_END}`)) return 3 + 2;
  const at = text.indexOf(`\r\n0${HEADER_END}`);
  return at === -1 ? -1 : at + 2 + 1 + HEADER_END.length;
}

interface Connection {
  socket: Socket | null;
  /** Counts the sockets opened for it: a socket that is no longer the newest is ignored. */
  attempt: number;
  /** The request written on it and not yet answered. */
  current: PreparedRequest | null;
  reader: ResponseReader;
}

export class KeepAliveClient {
  private readonly queue: PreparedRequest[] = [];
  private readonly idle: Connection[] = [];
  private busy = 0;
  private closed = false;

  /** `connections` connections, spread over `hosts` (addresses of the same server). */
  constructor(
    private readonly hosts: ReadonlyArray<{ hostname: string; port: number }>,
    connections: number,
  ) {
    for (let i = 0; i < connections; i++) {
      const connection: Connection = { socket: null, attempt: 0, current: null, reader: new ResponseReader(() => {}) };
      this.idle.push(connection);
    }
  }

  /** Requests waiting for a connection and requests on one. */
  get inFlight(): number {
    return this.queue.length + this.busy;
  }

  send(request: PreparedRequest): void {
    if (this.closed) return request.done(null);
    const connection = this.idle.pop();
    if (connection) this.write(connection, request);
    else this.queue.push(request);
  }

  close(): void {
    this.closed = true;
    for (const request of this.queue.splice(0)) request.done(null);
    for (const connection of this.idle) connection.socket?.end();
  }

  private write(connection: Connection, request: PreparedRequest): void {
    connection.current = request;
    this.busy++;
    if (connection.socket) connection.socket.write(request.bytes);
    else this.open(connection);
  }

  private open(connection: Connection): void {
    const attempt = ++connection.attempt;
    const host = this.hosts[attempt % this.hosts.length]!;
    connection.reader = new ResponseReader((status, closing) => this.answered(connection, status, closing));
    const lost = () => {
      if (connection.attempt !== attempt) return;
      connection.socket = null;
      this.answered(connection, null);
    };
    Bun.connect({
      hostname: host.hostname,
      port: host.port,
      socket: {
        open: (socket) => {
          if (connection.attempt !== attempt) return void socket.end();
          connection.socket = socket;
          if (connection.current) socket.write(connection.current.bytes);
        },
        data: (_, chunk) => {
          if (connection.attempt === attempt) connection.reader.push(chunk);
        },
        close: lost,
        error: () => {},
        connectError: lost,
      },
    }).catch(lost);
  }

  /** The connection's request is answered (null: it failed); the connection takes the next one. */
  private answered(connection: Connection, status: number | null, closing = status === null): void {
    const request = connection.current;
    if (closing && connection.socket) {
      // Closed by the server after this answer, or unusable: the next request opens another.
      // Forgotten before it is ended: its close (which may come at once) is then no news.
      const socket = connection.socket;
      connection.socket = null;
      connection.attempt++;
      socket.end();
    }
    if (!request) return;
    connection.current = null;
    this.busy--;
    request.done(status);
    const next = this.closed ? undefined : this.queue.shift();
    if (next) this.write(connection, next);
    else this.idle.push(connection);
  }
}
