/**
 * A dashboard that stops reading, as a phone that went into a tunnel does: it completes the
 * WebSocket handshake, then never reads again. Its receive buffer is tiny and its segments are an
 * Ethernet path's (SO_RCVBUF and TCP_MAXSEG through libc, which no JavaScript socket API offers),
 * so, as across a real network, the server's queue for it grows within seconds instead of after
 * the megabytes a loopback connection buffers in the kernel. Linux only.
 */
import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { upgradeRequest } from "./dashboard-socket.ts";
import { clientFrame } from "./frame-reader.ts";

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
const IPPROTO_TCP = 6;
const TCP_MAXSEG = 2;
/**
 * An Ethernet path's segment size: loopback's far larger segments let the kernel buffer megabytes
 * for a stalled socket before any backpressure, which no real path does (see docs/benchmarks.md#segment_bytes).
 */
const SEGMENT_BYTES = 1400;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
const RECEIVE_BUFFER_BYTES = 4096;
const PROBE_MS = 250;

const libc = dlopen("libc.so.6", {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  connect: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
  recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
}).symbols;

export interface StalledSocket {
  /** Sends a masked text frame, as a browser would; false once the server has closed the connection. */
  sendText(text: string): boolean;
  /** Resolves when the server has closed the connection (probed a few times a second). */
  closed: Promise<void>;
  destroy(): void;
}

export async function openStalledSocket(url: URL, headers: Record<string, string>, socketIo = false): Promise<StalledSocket> {
  const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error("socket() failed");
  const fail = (why: string): never => {
    libc.close(fd);
    throw new Error(why);
  };
  // Before connecting: the window the server sees is set by the buffer at the handshake.
  libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, ptr(new Int32Array([RECEIVE_BUFFER_BYTES])), 4);
  libc.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, ptr(new Int32Array([SEGMENT_BYTES])), 4);
  libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ptr(new BigInt64Array([5n, 0n])), 16);
  if (libc.connect(fd, ptr(socketAddress(url)), 16) !== 0) fail(`cannot connect to ${url.host}`);

  const send = (bytes: Uint8Array, flags = 0) => Number(libc.send(fd, ptr(bytes), bytes.length, MSG_NOSIGNAL | flags));
  send(Buffer.from(upgradeRequest(url, headers)));
  let received = "";
  const chunk = new Uint8Array(4096);
  // Blocking reads of the handshake's answer only (a few hundred bytes, bounded by SO_RCVTIMEO).
  const readUntil = (marker: string) => {
    while (!received.includes(marker)) {
      const n = Number(libc.recv(fd, ptr(chunk), chunk.length, 0));
      if (n <= 0) fail(`no answer from ${url.host}`);
      received += Buffer.from(chunk.subarray(0, n)).toString("latin1");
    }
  };
  readUntil("\r\n\r\n");
  if (!received.startsWith("HTTP/1.1 101")) fail(`upgrade refused: ${received.split("\r\n")[0]}`);
  if (socketIo) {
    // Join the default namespace when Engine.IO opens, as a real client does before it stalls.
    readUntil('0{"sid"');
    send(clientFrame(0x1, Buffer.from("40")));
  }

  let open = true;
  const ping = clientFrame(0x9, new Uint8Array(0));
  const isClosed = () => {
    if (!open) return true;
    if (send(ping, MSG_DONTWAIT) >= 0) return false;
    const errno = read.i32(libc.__errno_location()!, 0);
    return errno !== EAGAIN;
  };
  let resolveClosed = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const probe = setInterval(() => {
    if (!isClosed()) return;
    clearInterval(probe);
    resolveClosed();
  }, PROBE_MS);
  return {
    sendText: (text) => open && send(clientFrame(0x1, Buffer.from(text)), MSG_DONTWAIT) >= 0,
    closed,
    destroy() {
      if (!open) return;
      open = false;
      clearInterval(probe);
      libc.close(fd);
      resolveClosed();
    },
  };
}

function socketAddress(url: URL): Uint8Array {
  const octets = url.hostname.split(".").map(Number);
  if (octets.length !== 4 || octets.some((n) => !(n >= 0 && n <= 255))) throw new Error(`stalled sockets need an IPv4 address, not ${url.hostname}`);
  const address = new Uint8Array(16);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, Number(url.port || 80), false);
  address.set(octets, 4);
  return address;
}
