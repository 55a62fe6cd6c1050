/**
 * SipHash-2-4, the keyed hash Plausible also uses for visitor ids: a pseudo-random function of a
 * 128-bit key, made for short inputs. It runs on every pageview, so it is written here without
 * allocating: node:crypto's HMAC makes an object and a stream per call and the npm `siphash`
 * package an object per 64-bit operation, several times slower (see docs/benchmarks.md#siphash).
 * 64-bit words are kept as two 32-bit halves in local variables, since JavaScript numbers are doubles.
 */

const encoder = new TextEncoder();
let scratch = new Uint8Array(512);
/** The result's halves, high then low: written by `hash` to avoid returning an object. */
const result = new Uint32Array(2);

/** The hash of `text` (as UTF-8) under a 16-byte key, cut to its top 48 bits: a plain, exact number. */
export function sipHash48(key: Uint8Array, text: string): number {
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  hash(key, scratch, utf8Into(text, scratch));
  return result[0]! * 65536 + (result[1]! >>> 16);
}

/**
 * Writes `text` as UTF-8 and returns the byte count. What is hashed on every event (site, address,
 * digest) is ASCII, which a loop copies faster than a call into TextEncoder; anything else goes there.
 */
function utf8Into(text: string, bytes: Uint8Array): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encodeInto(text, bytes).written;
    bytes[i] = code;
  }
  return text.length;
}

/** The full 64-bit hash as 16 hex digits (for checking against published test vectors). */
export function sipHashHex(key: Uint8Array, bytes: Uint8Array): string {
  hash(key, bytes, bytes.length);
  return result[0]!.toString(16).padStart(8, "0") + result[1]!.toString(16).padStart(8, "0");
}

/** Little-endian 32-bit word at `offset`. */
function word(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

function hash(key: Uint8Array, bytes: Uint8Array, length: number): void {
  if (key.length !== 16) throw new RangeError("a SipHash key is 16 bytes");
  const k0l = word(key, 0), k0h = word(key, 4), k1l = word(key, 8), k1h = word(key, 12);
  let v0h = (k0h ^ 0x736f6d65) >>> 0, v0l = (k0l ^ 0x70736575) >>> 0;
  let v1h = (k1h ^ 0x646f7261) >>> 0, v1l = (k1l ^ 0x6e646f6d) >>> 0;
  let v2h = (k0h ^ 0x6c796765) >>> 0, v2l = (k0l ^ 0x6e657261) >>> 0;
  let v3h = (k1h ^ 0x74656462) >>> 0, v3l = (k1l ^ 0x79746573) >>> 0;

  const whole = length - (length % 8);
  // The last block: the remaining bytes, and the length's low byte at the top.
  let lastH = (length & 0xff) << 24, lastL = 0;
  for (let i = whole; i < length; i++) {
    if (i - whole < 4) lastL |= bytes[i]! << ((i - whole) * 8);
    else lastH |= bytes[i]! << ((i - whole - 4) * 8);
  }

  // Steps: each 8-byte block, then the last block, then finalization (four rounds, no message).
  for (let offset = 0; offset <= whole + 8; offset += 8) {
    const finalization = offset > whole;
    const mh = offset < whole ? word(bytes, offset + 4) : lastH >>> 0;
    const ml = offset < whole ? word(bytes, offset) : lastL >>> 0;
    if (finalization) v2l = (v2l ^ 0xff) >>> 0;
    else {
      v3h = (v3h ^ mh) >>> 0;
      v3l = (v3l ^ ml) >>> 0;
    }
    for (let r = finalization ? 4 : 2; r > 0; r--) {
      let sum: number, h: number;
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      sum = v0l + v1l; v0l = sum >>> 0; v0h = (v0h + v1h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      h = v1h; v1h = ((h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (h >>> 19)) >>> 0;
      v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
      h = v0h; v0h = v0l; v0l = h;
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      sum = v2l + v3l; v2l = sum >>> 0; v2h = (v2h + v3h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      h = v3h; v3h = ((h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (h >>> 16)) >>> 0;
      v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      sum = v0l + v3l; v0l = sum >>> 0; v0h = (v0h + v3h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      h = v3h; v3h = ((h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (h >>> 11)) >>> 0;
      v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      sum = v2l + v1l; v2l = sum >>> 0; v2h = (v2h + v1h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
      h = v1h; v1h = ((h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (h >>> 15)) >>> 0;
      v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
      h = v2h; v2h = v2l; v2l = h;
    }
    if (!finalization) {
      v0h = (v0h ^ mh) >>> 0;
      v0l = (v0l ^ ml) >>> 0;
    }
  }
  result[0] = v0h ^ v1h ^ v2h ^ v3h;
  result[1] = v0l ^ v1l ^ v2l ^ v3l;
}
