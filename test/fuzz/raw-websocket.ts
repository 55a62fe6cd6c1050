/**
 * WebSocket abuse below the WebSocket API: a real handshake over raw TCP, then bytes no browser
 * would send (RFC 6455 violations). The result says how the server ended it and how fast.
 */
import type { Socket } from "bun";
import { concat, connectRaw, queuedWriter, type Bytes } from "./raw-http.ts";

export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array;
  fin?: boolean;
  /** The three RSV bits, 0–7; nonzero is invalid without an extension. */
  rsv?: number;
  /** Clients must mask (RFC 6455 §5.1); false makes a frame the server must refuse. */
  masked?: boolean;
  /** A declared payload length that differs from the payload sent. */
  declaredLength?: bigint;
}

/** One client frame, as bytes. */
export function clientFrame({ opcode, payload = new Uint8Array(0), fin = true, rsv = 0, masked = true, declaredLength }: FrameSpec): Bytes {
  const length = declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) head.push(maskBit | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    head.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((length >> shift) & 0xffn));
  }
  const key = [0x12, 0x34, 0x56, 0x78];
  if (masked) head.push(...key);
  const body = masked ? payload.map((byte, i) => byte ^ key[i % 4]!) : payload;
  return concat(Uint8Array.from(head), body);
}

export interface AbuseResult {
  /** The server answered the handshake with 101. */
  upgraded: boolean;
  /** How the connection ended: the server's close frame, a TCP close, or not within the timeout. */
  end: "close-frame" | "tcp-close" | "timeout";
  /** The code of the server's close frame, when it sent one. */
  closeCode?: number;
  /** From sending the garbage to the end. */
  ms: number;
}

/** Opens `path` with `headers`, sends `garbage` once upgraded, and waits for the server to end it. */
export function abuseWebSocket(port: number, path: string, headers: Record<string, string>, garbage: Uint8Array, timeoutMs: number): Promise<AbuseResult> {
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let received: Bytes = new Uint8Array(0);
    let upgraded = false;
    let frames = 0;
    let sentAt = performance.now();
    let settled = false;
    const finish = (end: AbuseResult["end"], closeCode?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.end();
      resolve({ upgraded, end, ...(closeCode === undefined ? {} : { closeCode }), ms: performance.now() - sentAt });
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    const writer = queuedWriter(garbage);
    connectRaw(
      port,
      {
        open(opened) {
          socket = opened;
          const lines = [
            `GET ${path} HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
          ];
          opened.write(`${lines.join("\r\n")}\r\n\r\n`);
        },
        drain: (opened) => {
          if (upgraded) writer.drain(opened);
        },
        data(opened, chunk) {
          received = concat(received, chunk);
          if (!upgraded) {
            const end = indexOfHeadEnd(received);
            if (end === -1) return;
            if (!new TextDecoder().decode(received.subarray(0, 12)).startsWith("HTTP/1.1 101")) return finish("tcp-close");
            upgraded = true;
            received = received.subarray(end + 4);
            sentAt = performance.now();
            writer.drain(opened);
          }
          for (const frame of serverFrames(received).slice(frames)) {
            frames++;
            if (frame.opcode === 0x8) return finish("close-frame", frame.code);
          }
        },
      },
      () => finish("tcp-close"),
    );
  });
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** The complete (unmasked) server frames at the start of `bytes`: opcode, and the code of a close. */
function serverFrames(bytes: Uint8Array): Array<{ opcode: number; code?: number }> {
  const frames: Array<{ opcode: number; code?: number }> = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > bytes.length) break;
      length = (bytes[start]! << 8) | bytes[start + 1]!;
      start += 2;
    } else if (length === 127) {
      if (start + 8 > bytes.length) break;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset + start, 8).getBigUint64(0));
      start += 8;
    }
    if (start + length > bytes.length) break;
    const code = opcode === 0x8 && length >= 2 ? (bytes[start]! << 8) | bytes[start + 1]! : undefined;
    frames.push({ opcode, ...(code === undefined ? {} : { code }) });
    at = start + length;
  }
  return frames;
}
