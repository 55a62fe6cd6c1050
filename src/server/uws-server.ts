import type { HttpRequest, HttpResponse, us_listen_socket, us_socket_context_t, WebSocket } from "@trufflesuite/uws-js-unofficial";
import { STATUS_CODES } from "node:http";
import { tryListen } from "../host/try-listen.ts";
import type { DashboardData } from "../core/fanout/dashboards.ts";
import { isLiveData, type LiveData, type LiveSocket } from "../core/presence/live-widgets.ts";
import type { HttpHandler, Peer } from "./http-handler.ts";
import { errorResponse, jsonError } from "./responses.ts";
import { BACKPRESSURE_LIMIT, MAX_REQUEST_BODY_BYTES, MAX_SOCKET_MESSAGE_BYTES, type ListenOptions, type Reply, type Served, type Transport, type TransportSocket } from "./transport.ts";
import type { Uws, UwsApp } from "./uws-addon.ts";

const ABNORMAL_CLOSURE = 1006;
/** uWebSockets' own: a WebSocket idle this long (no message, no pong) is closed; pings go out before. */
const SOCKET_IDLE_S = 120;
/** What a socket may send before uWebSockets cuts it without a close frame. */
const MAX_RECEIVED_BYTES = 16 * 1024;
const MESSAGE_TOO_BIG = 1009;

type SocketData = DashboardData | LiveData;
type DashboardSocket = UwsSocket & TransportSocket;
const isLive = (socket: UwsSocket): socket is UwsSocket & LiveSocket => isLiveData(socket.data);

/** What uWebSockets.js keeps with each socket: the core's data, and the socket the core is handed. */
interface Held {
  data: SocketData;
  socket?: UwsSocket;
}

/**
 * A socket as the core sees it. uWebSockets.js throws on any use of a socket after its close, and
 * the core may still hold one for a moment (a rewind answered on the next tick): those calls do nothing.
 */
class UwsSocket {
  closed = false;

  constructor(
    private readonly ws: WebSocket<Held>,
    readonly data: SocketData,
  ) {}

  send(text: string): number {
    if (this.closed) return 0;
    let status = 0;
    this.ws.cork(() => (status = this.ws.send(text, false, false)));
    return status;
  }

  subscribe(topic: string): boolean {
    return !this.closed && this.ws.subscribe(topic);
  }

  unsubscribe(topic: string): boolean {
    return !this.closed && this.ws.unsubscribe(topic);
  }

  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.end(code, reason);
  }
}

/**
 * uWebSockets.js says only that it could not listen, not why: `reason` asks the system, by trying
 * the same address with Node's own listen (an errno code such as EADDRINUSE, for startupFailure).
 */
export class UwsListenError extends Error {
  readonly syscall = "listen";
  code: string | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super("the address is in use, needs privileges (a port below 1024), or is not this machine's");
  }

  async reason(): Promise<this> {
    const tried = await tryListen(this.host, this.port);
    this.code = "code" in tried ? tried.code : undefined;
    return this;
  }
}

/** What a request is made of, read while uWebSockets.js still has it: its HttpRequest is gone after the first await. */
interface RequestHead {
  method: string;
  url: string;
  headers: Headers;
  address: string;
}

/** Whether the response may still be written: false once the client has gone. */
interface Exchange {
  aborted: boolean;
  /** Called once when the client goes (an export stops reading its rows). */
  onAbort?: () => void;
}

/**
 * uWebSockets.js on Node.js as Pulse's transport: the same C++ server as Bun.serve, driven from
 * JavaScript. It does not speak Fetch, so each request is read into what the routes read of a
 * `Request` (ReadRequest) and each answer written back here, at the edge (a streamed export chunk
 * by chunk, waiting for the socket to drain); everything behind the handler is the same as on Bun. Frames go out with
 * `app.publish`, uWebSockets' own topic pub/sub.
 */
export class UwsTransport implements Transport {
  private app: UwsApp | undefined;
  private listenSocket: us_listen_socket | undefined;
  private readonly sockets = new Set<UwsSocket>();
  /** host:port, for a request without a Host header. */
  private listening = "localhost";

  constructor(private readonly uws: Uws) {}

  /** Ingest's plain answers, written as they are (see PlainAnswer). */
  readonly reply: Reply = (status, body, headers) => new PlainAnswer(status, body, headers) as unknown as Response;

  listen({ port, host, reusePort }: ListenOptions, { handler, dashboards, widgets, metrics }: Served): number {
    const app = this.uws.App();
    const sockets = this.sockets;
    // Ingest and presence, the hot paths, are routed by uWebSockets itself.
    app.any("/api/event", (res, req) => guarded(res, () => this.serve(res, req, (request, head) => handler.ingest(request, head.address))));
    app.any("/api/presence", (res, req) => guarded(res, () => this.serve(res, req, (request, head) => handler.presence(request, head.address))));
    app.any("/*", (res, req) => guarded(res, () => this.serve(res, req, (request, head) => handler(request, peerOf(head, () => false)))));
    app.ws<Held>("/*", {
      compression: this.uws.DISABLED,
      // Longer than a command may be, so that a longer one gets 1009 from the core's check below,
      // as on Bun, rather than the connection cut; past this uWebSockets cuts it.
      maxPayloadLength: MAX_RECEIVED_BYTES,
      idleTimeout: SOCKET_IDLE_S,
      sendPingsAutomatically: true,
      maxBackpressure: BACKPRESSURE_LIMIT,
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => guarded(res, () => this.upgrade(res, req, context, handler)),
      open(ws) {
        const held = ws.getUserData();
        const socket = new UwsSocket(ws, held.data);
        held.socket = socket;
        sockets.add(socket);
        if (isLive(socket)) widgets.open(socket);
        else dashboards.open(socket as DashboardSocket);
      },
      message(ws, message, isBinary) {
        const socket = ws.getUserData().socket!;
        if (message.byteLength > MAX_SOCKET_MESSAGE_BYTES) return socket.close(MESSAGE_TOO_BIG, "message too big");
        if (isLive(socket)) widgets.message(socket);
        // The message's memory is uWebSockets' and gone on return: copied (a command is at most 1 KiB).
        else dashboards.message(socket as DashboardSocket, isBinary ? new Uint8Array(message.slice(0)) : Buffer.from(message).toString("utf8"));
      },
      close(ws, code) {
        const socket = ws.getUserData().socket!;
        socket.closed = true;
        sockets.delete(socket);
        // A socket dropped for backpressure is closed as 1006, like a lost connection.
        if (code === ABNORMAL_CLOSURE) metrics.abnormalCloses++;
        if (isLive(socket)) widgets.close(socket);
        else dashboards.close(socket as DashboardSocket);
      },
    });
    // uWebSockets.js shares a port silently by default (SO_REUSEPORT): a second server would start
    // without error and take half the connections. Only workers meant to share it do.
    const options = reusePort ? 0 : this.uws.LIBUS_LISTEN_EXCLUSIVE_PORT;
    let listening: us_listen_socket | false = false;
    app.listen(host, port, options, (socket) => (listening = socket));
    if (!listening) throw new UwsListenError(host, port);
    this.app = app;
    this.listenSocket = listening;
    const bound = this.uws.us_socket_local_port(listening);
    this.listening = `${host.includes(":") ? `[${host}]` : host}:${bound}`;
    return bound;
  }

  publish(topic: string, data: string): void {
    this.app?.publish(topic, data, false, false);
  }

  stopListening(): void {
    if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
  }

  async closeAll(code: number, reason: string): Promise<void> {
    this.stopListening();
    for (const socket of this.sockets) socket.close(code, reason);
    // The close frames leave on the next turn of the loop; then every connection left is closed.
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.app?.close();
    this.app = undefined;
  }

  /** An HTTP request: read (with its body, bounded), answered by `route`, written back. */
  private serve(res: HttpResponse, req: HttpRequest, route: (request: Request, head: RequestHead) => Promise<Response | undefined> | Response | undefined): void {
    const exchange = watch(res);
    const head = readHead(res, req, this.listening);
    if (head instanceof Response) return void respond(res, exchange, head, false, true);
    const bodyless = head.method === "GET" || head.method === "HEAD";
    const announced = Number(head.headers.get("content-length") ?? 0);
    if (!bodyless && announced > MAX_REQUEST_BODY_BYTES) return void respond(res, exchange, jsonError(413, "request body too large"), false, true);
    const answer = async () => {
      const body = bodyless ? undefined : await readBody(res, exchange);
      if (exchange.aborted) return;
      if (body === null) return respond(res, exchange, jsonError(413, "request body too large"), false, true);
      let response: Response | undefined;
      try {
        response = await route(requestOf(head, body), head);
      } catch (error) {
        response = errorResponse(error);
      }
      await respond(res, exchange, response ?? notAnUpgrade(), head.method === "HEAD");
    };
    void answer().catch((error: unknown) => respond(res, exchange, errorResponse(error), false));
  }

  /** A WebSocket upgrade: the same route as any request decides (origin, access, limits), and upgrades or answers. */
  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t, handler: HttpHandler): void {
    const exchange = watch(res);
    const head = readHead(res, req, this.listening);
    if (head instanceof Response) return void respond(res, exchange, head, false, true);
    const key = req.getHeader("sec-websocket-key");
    const protocol = req.getHeader("sec-websocket-protocol");
    const extensions = req.getHeader("sec-websocket-extensions");
    const valid = key.length > 0 && req.getHeader("sec-websocket-version") === "13";
    let upgraded = false;
    const upgrade = (data: SocketData): boolean => {
      if (!valid || exchange.aborted) return false;
      res.cork(() => res.upgrade<Held>({ data }, key, protocol, extensions, context));
      upgraded = true;
      return true;
    };
    const answer = async () => {
      let response: Response | undefined;
      try {
        response = await handler(requestOf(head, undefined), peerOf(head, upgrade));
      } catch (error) {
        response = errorResponse(error);
      }
      if (!upgraded) await respond(res, exchange, response ?? notAnUpgrade(), false);
    };
    void answer().catch((error: unknown) => respond(res, exchange, errorResponse(error), false));
  }
}

/**
 * Runs a request's first, synchronous part. An error thrown there would reach uWebSockets.js, and
 * Node would end the process: the client gets a 500 instead, as from Bun.serve's error handler.
 */
function guarded(res: HttpResponse, serve: () => void): void {
  try {
    serve();
  } catch (error) {
    const response = errorResponse(error);
    try {
      res.cork(() => {
        writeHead(res, response);
        res.end(JSON.stringify({ error: "internal error" }), true);
      });
    } catch {
      // Already answered, or the client has gone.
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A plain answer as the routes hand it on (ingest's 202 "ok", its preflight's 204): status,
 * headers (its own copy: the handler may add one) and text. Node's Response made a web stream for
 * the body of each, a quarter of ingest's CPU at its ceiling; this transport writes this itself.
 */
class PlainAnswer {
  readonly statusText = "";
  readonly headers: Headers;

  constructor(
    readonly status: number,
    readonly content: string | null,
    headers: Headers | Record<string, string>,
  ) {
    this.headers = new Headers(headers);
    // As a Response of a text body says.
    if (content !== null && !this.headers.has("content-type")) this.headers.set("content-type", "text/plain;charset=UTF-8");
  }

  async text(): Promise<string> {
    return this.content ?? "";
  }
}

/**
 * A request as the routes read it: its method, URL and headers, and its body read whole. Node's
 * own Request makes a web stream and an AbortSignal for each, most of what ingest cost here (a
 * CPU profile at the ingest ceiling), so the routes get this, which has what they read of a
 * Request (HttpHandler's routes: method, url, headers, bytes, text, json, arrayBuffer).
 */
class ReadRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  private readonly content: Uint8Array<ArrayBuffer>;

  constructor(head: RequestHead, body: Uint8Array<ArrayBuffer> | undefined) {
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.content = body ?? EMPTY;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.content;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.content.slice().buffer;
  }

  async text(): Promise<string> {
    return Buffer.from(this.content.buffer, this.content.byteOffset, this.content.byteLength).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** What a route that answers nothing means: the request wanted the socket route without upgrading. */
const notAnUpgrade = () => jsonError(426, "expected a WebSocket upgrade", { upgrade: "websocket" });

function requestOf(head: RequestHead, body: Uint8Array<ArrayBuffer> | undefined): Request {
  return new ReadRequest(head, body) as unknown as Request;
}

function peerOf(head: RequestHead, upgrade: Peer["upgrade"]): Peer {
  return { address: head.address, upgrade };
}

function watch(res: HttpResponse): Exchange {
  const exchange: Exchange = { aborted: false };
  res.onAborted(() => {
    exchange.aborted = true;
    exchange.onAbort?.();
  });
  return exchange;
}

/** Longer request targets get 414, as from Bun.serve, whose header limit they pass (uWebSockets.js 20.30 reads on). */
const MAX_TARGET_CHARS = 16 * 1024;
/** A method a Request may carry: a token, and none that Fetch forbids (CONNECT, TRACE, TRACK). */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
/** A Host header: a name or an IPv4 address, or an IPv6 one in brackets, and a port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)(?::(\d{1,5}))?$/;

/**
 * The method, URL, headers and client address, or the answer to a request that makes no Request:
 * a Host that is no host (400, as Bun.serve answers), a method Fetch cannot carry (405).
 */
function readHead(res: HttpResponse, req: HttpRequest, listening: string): RequestHead | Response {
  const method = req.getCaseSensitiveMethod();
  if (!METHOD.test(method)) return jsonError(400, "malformed request method");
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) return jsonError(405, `${method} is not served here`);
  const headers = new Headers();
  let host: string | undefined;
  req.forEach((name, value) => {
    if (name === "host") host ??= value;
    headers.append(name, headerValue(value));
  });
  // Without a Host (HTTP/1.0), the address the server listens on.
  const hostPort = host === undefined ? listening : host;
  const parsedHost = HOST.exec(hostPort);
  const port = parsedHost?.[1];
  if (!parsedHost || (port !== undefined && Number(port) > 65_535)) return jsonError(400, "the Host header is not a host name or address");
  // (uWebSockets.js 20.30 gives undefined for a request without a query.)
  const query = req.getQuery() ?? "";
  const path = req.getUrl();
  if (path.length + query.length > MAX_TARGET_CHARS) return jsonError(414, "the request target is too long");
  let url: string;
  try {
    url = new URL(`http://${hostPort}${path}${query ? `?${query}` : ""}`).href;
  } catch {
    return jsonError(400, "malformed request target");
  }
  return { method, url, headers, address: addressText(Buffer.from(res.getRemoteAddressAsText()).toString("latin1")) };
}

/**
 * A header value Headers takes. uWebSockets.js hands values over as UTF-8 text, where Bun.serve
 * keeps each byte as a Latin-1 character: bytes that are no UTF-8 (a junk token) come as U+FFFD,
 * which no header may hold. Such a value is kept as Latin-1 "?"s: it still matches nothing.
 */
function headerValue(value: string): string {
  return /[^\t\x20-\x7e\x80-\xff]/.test(value) ? value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?") : value;
}

/** The body, or null when it grows past MAX_REQUEST_BODY_BYTES (its length need not be announced). */
function readBody(res: HttpResponse, exchange: Exchange): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve) => {
    const parts: Array<Buffer<ArrayBuffer>> = [];
    let size = 0;
    exchange.onAbort = () => resolve(null);
    res.onData((chunk, isLast) => {
      if (size < 0) return;
      size += chunk.byteLength;
      if (size > MAX_REQUEST_BODY_BYTES) {
        size = -1;
        return resolve(null);
      }
      // The chunk's memory is uWebSockets' and gone on return: copied.
      parts.push(Buffer.from(new Uint8Array(chunk)));
      if (isLast) resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    });
  });
}

/** Writes a Response (see writeResponse); never rejects: a client that went away mid-write is no error. */
function respond(res: HttpResponse, exchange: Exchange, response: Response, head: boolean, closeConnection = false): Promise<void> {
  return writeResponse(res, exchange, response, head, closeConnection).catch(() => {
    exchange.aborted = true;
    void response.body?.cancel().catch(() => {});
  });
}

/**
 * Writes a Response: the status and headers, then the body. A body in one piece goes out with its
 * length; a longer stream (an export) chunk by chunk, waiting for the socket to drain whenever
 * uWebSockets holds more than it could send, so a slow client holds one chunk, not the export.
 */
async function writeResponse(res: HttpResponse, exchange: Exchange, response: Response, head: boolean, closeConnection: boolean): Promise<void> {
  if (response instanceof PlainAnswer) {
    if (exchange.aborted) return;
    return void res.cork(() => {
      writeHead(res, response as unknown as Response);
      if (head) res.endWithoutBody(Buffer.byteLength(response.content ?? ""), true);
      else res.end(response.content ?? "", closeConnection);
    });
  }
  if (exchange.aborted) return void (await response.body?.cancel());
  if (head) return respondToHead(res, exchange, response);
  const reader = response.body?.getReader();
  exchange.onAbort = () => void reader?.cancel().catch(() => {});
  const first = reader ? await reader.read() : { done: true as const, value: undefined };
  const second = first.done || !reader ? { done: true as const, value: undefined } : await reader.read();
  if (exchange.aborted) return;
  res.cork(() => {
    writeHead(res, response);
    if (second.done) return void res.end(first.value ?? "", closeConnection);
    res.write(first.value!);
  });
  if (second.done) return;
  for (let chunk: Uint8Array | undefined = second.value; chunk !== undefined; ) {
    if (exchange.aborted) return;
    let drained = true;
    res.cork(() => (drained = res.write(chunk!)));
    if (!drained) await writable(res, exchange);
    const next = await reader!.read();
    chunk = next.done ? undefined : next.value;
  }
  if (!exchange.aborted) res.cork(() => res.end());
}

/** The status line and headers; uWebSockets writes the length (or the chunked encoding) itself. */
function writeHead(res: HttpResponse, response: Response): void {
  res.writeStatus(`${response.status} ${response.statusText || STATUS_CODES[response.status] || ""}`);
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "transfer-encoding" && name !== "set-cookie") res.writeHeader(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) res.writeHeader("set-cookie", cookie);
}

/**
 * A HEAD's answer: the GET's head, with the length its body would have. uWebSockets.js 20.30 must
 * be told that length (left out, it writes a nonsense one), and still waits for that body after a
 * head without one, cutting the connection at the next request: so the client is told to close it.
 */
async function respondToHead(res: HttpResponse, exchange: Exchange, response: Response): Promise<void> {
  const announced = response.headers.get("content-length");
  const length = announced !== null && /^\d+$/.test(announced) ? Number(announced) : (await response.arrayBuffer()).byteLength;
  if (exchange.aborted) return;
  res.cork(() => {
    writeHead(res, response);
    // (With Connection: close, which uWebSockets writes.)
    res.endWithoutBody(length, true);
  });
}

/** Resolves when uWebSockets has sent what it held for `res`, or the client has gone. */
function writable(res: HttpResponse, exchange: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const abort = exchange.onAbort;
    exchange.onAbort = () => (abort?.(), resolve());
    res.onWritable(() => {
      resolve();
      return true;
    });
  });
}

/**
 * An address as Bun.serve writes it, from uWebSockets' text: IPv4 as it is; IPv6, which uWebSockets
 * writes in full, shortened ("::1"); an IPv4-mapped one as its IPv4 address.
 */
export function addressText(text: string): string {
  if (!text.includes(":")) return text;
  const groups = text.toLowerCase().split(":");
  if (groups.length !== 8) return text;
  const values = groups.map((group) => Number.parseInt(group, 16) || 0);
  if (values.slice(0, 5).every((value) => value === 0) && values[5] === 0xffff) {
    return [values[6]! >> 8, values[6]! & 255, values[7]! >> 8, values[7]! & 255].join(".");
  }
  // The longest run of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && values[end] === 0) end++;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end === start ? start + 1 : end;
  }
  const hex = values.map((value) => value.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
