/**
 * Reads server-to-client WebSocket frames (RFC 6455, unmasked) from a byte stream without decoding
 * them: a load generator holding 10,000 dashboards only needs each frame's size and its first bytes,
 * and turning hundreds of megabytes a second into strings would make it the bottleneck.
 */
/** Enough for a tick frame's type, site (up to 253 characters) and seq. */
export const PREFIX_BYTES = 320;

export interface Frame {
  opcode: number;
  /** Payload length in bytes. */
  length: number;
  /** The payload's first bytes (up to PREFIX_BYTES). */
  prefix: Uint8Array;
}

export class FrameReader {
  private readonly header = new Uint8Array(10);
  private headerLength = 0;
  private headerNeeded = 2;
  private inPayload = false;
  private remaining = 0;
  private opcode = 0;
  private length = 0;
  private readonly prefix = new Uint8Array(PREFIX_BYTES);
  private prefixLength = 0;

  constructor(private readonly onFrame: (frame: Frame) => void) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (!this.inPayload) {
        while (this.headerLength < this.headerNeeded && i < chunk.length) this.header[this.headerLength++] = chunk[i++]!;
        if (this.headerLength < this.headerNeeded) return;
        if (this.headerLength === 2) {
          const short = this.header[1]! & 0x7f;
          this.headerNeeded = short === 126 ? 4 : short === 127 ? 10 : 2;
          if (this.headerNeeded > 2) continue;
        }
        this.startPayload();
        if (this.remaining === 0) this.finish();
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - i);
      if (this.prefixLength < PREFIX_BYTES) {
        const copy = Math.min(take, PREFIX_BYTES - this.prefixLength);
        this.prefix.set(chunk.subarray(i, i + copy), this.prefixLength);
        this.prefixLength += copy;
      }
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) this.finish();
    }
  }

  private startPayload(): void {
    const short = this.header[1]! & 0x7f;
    const view = new DataView(this.header.buffer);
    this.length = short === 126 ? view.getUint16(2) : short === 127 ? Number(view.getBigUint64(2)) : short;
    this.opcode = this.header[0]! & 0x0f;
    this.remaining = this.length;
    this.prefixLength = 0;
    this.inPayload = true;
  }

  private finish(): void {
    this.onFrame({ opcode: this.opcode, length: this.length, prefix: this.prefix.subarray(0, this.prefixLength) });
    this.inPayload = false;
    this.headerLength = 0;
    this.headerNeeded = 2;
  }
}

/** A masked client frame, as RFC 6455 requires of clients. */
export function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new Error("client frames here are short");
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}
