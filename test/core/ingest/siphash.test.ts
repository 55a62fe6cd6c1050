import { describe, expect, test } from "bun:test";
// The npm package, a plain JavaScript SipHash-2-4, serves as the reference.
import reference from "siphash";
import { sipHash48, sipHashHex } from "../../../src/core/ingest/siphash.ts";

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);
const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i);

describe("SipHash-2-4", () => {
  test("matches the published test vectors (key 00..0f, message 00..n-1)", () => {
    expect(sipHashHex(KEY, counting(0))).toBe("726fdb47dd0e0e31");
    expect(sipHashHex(KEY, counting(7))).toBe("ab0200f58b01d137");
    expect(sipHashHex(KEY, counting(8))).toBe("93f5f5799a932462");
    expect(sipHashHex(KEY, counting(15))).toBe("a129ca6149be45e5");
    expect(sipHashHex(KEY, counting(63))).toBe("958a324ceb064572");
  });

  test("agrees with the reference implementation on every length around the block size, and random keys", () => {
    for (let round = 0; round < 20; round++) {
      const key = crypto.getRandomValues(new Uint8Array(16));
      for (let length = 0; length < 40; length++) {
        const message = crypto.getRandomValues(new Uint8Array(length));
        expect(sipHashHex(key, message)).toBe(reference.hash_hex(new Uint32Array(key.buffer), message));
      }
    }
  });

  test("the 48-bit form is the hash's top 48 bits of the UTF-8 text", () => {
    const text = "shop.test\u0000203.0.113.9\u0000Mozilla/5.0 (Ünïcode) ✓";
    const hex = sipHashHex(KEY, new TextEncoder().encode(text));
    expect(sipHash48(KEY, text)).toBe(Number.parseInt(hex.slice(0, 12), 16));
    // Long inputs grow the scratch buffer instead of being cut.
    const long = "x".repeat(5000);
    expect(sipHash48(KEY, long)).toBe(Number.parseInt(sipHashHex(KEY, new TextEncoder().encode(long)).slice(0, 12), 16));
  });

  test("a key that is not 16 bytes is refused", () => {
    expect(() => sipHash48(new Uint8Array(8), "x")).toThrow(RangeError);
  });
});
