import { describe, expect, test } from "bun:test";
import { FrameReader, PREFIX_BYTES, type Frame } from "../../src/loadtest/frame-reader.ts";

function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? [0x80 | opcode, length] : length < 65536 ? [0x80 | opcode, 126, length >> 8, length & 255] : [0x80 | opcode, 127, 0, 0, 0, 0, (length >>> 24) & 255, (length >> 16) & 255, (length >> 8) & 255, length & 255];
  return new Uint8Array([...header, ...payload]);
}

const text = (s: string) => new TextEncoder().encode(s);

describe("FrameReader", () => {
  test("reads frames of every length form, split across chunks at every byte", () => {
    const frames = [serverFrame(1, text('{"type":"tick","seq":7}')), serverFrame(1, text("x".repeat(1000))), serverFrame(9, new Uint8Array(0)), serverFrame(2, new Uint8Array(70_000).fill(65))];
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) {
      stream.set(frame, at);
      at += frame.length;
    }
    for (const size of [1, 2, 3, 7, 100, stream.length]) {
      const seen: Array<Omit<Frame, "prefix"> & { prefix: string }> = [];
      const reader = new FrameReader((frame) => seen.push({ ...frame, prefix: new TextDecoder().decode(frame.prefix) }));
      for (let i = 0; i < stream.length; i += size) reader.push(stream.subarray(i, i + size));
      expect(seen.map((frame) => [frame.opcode, frame.length])).toEqual([[1, 23], [1, 1000], [9, 0], [2, 70_000]]);
      expect(seen[0]!.prefix).toBe('{"type":"tick","seq":7}');
      expect(seen[1]!.prefix.length).toBe(PREFIX_BYTES);
    }
  });
});
