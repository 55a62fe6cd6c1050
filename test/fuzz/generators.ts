/**
 * The fuzz test's randomness: one seeded generator, so a failing run replays exactly
 * (PULSE_FUZZ_SEED=<seed> bun test test/fuzz), and the odd strings and byte mutations it draws from.
 */

/** sfc32: small, fast, and good enough to pick test inputs; the same seed gives the same sequence. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices.at(-1)![1];
  }

  bytes(length: number): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(256);
    return bytes;
  }

  /** `length` characters drawn from `alphabet` (a string or a list of strings). */
  text(length: number, alphabet: string | readonly string[] = ODD_CHARACTERS): string {
    const pool = typeof alphabet === "string" ? Array.from(alphabet) : alphabet;
    let out = "";
    for (let i = 0; i < length; i++) out += this.pick(pool);
    return out;
  }
}

/** The seed from PULSE_FUZZ_SEED (to replay a failure), else a fresh one. */
export function fuzzSeed(value: string | undefined = process.env.PULSE_FUZZ_SEED): number {
  if (value !== undefined && value.trim() !== "") {
    const seed = Number(value);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`PULSE_FUZZ_SEED must be an integer from 0 to 4294967295, not ${value}`);
    return seed;
  }
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/**
 * Characters that break naive code: emoji (surrogate pairs), RTL and bidi overrides, zero-width
 * and BOM, combining marks, line and paragraph separators, control characters, quotes, backslashes.
 */
export const ODD_CHARACTERS: readonly string[] = [
  ..."abcXYZ019 -_./:?#&=%+,;@!~*'()[]{}<>",
  '"',
  "\\",
  "🎉",
  "👩‍👩‍👧",
  "🏳️‍🌈",
  "שלום",
  "مرحبا",
  "\u202e",
  "\u200f",
  "\u200b",
  "\u200d",
  "\ufeff",
  "e\u0301",
  "\u2028",
  "\u2029",
  "\u0000",
  "\u0001",
  "\u001b",
  "\u007f",
  "\u0085",
  "\t",
  "\n",
  "\r",
  "ÿ",
  "Ω",
  "漢字",
  "\uffff",
  "\ufffd",
];

/** Lone surrogates, which JSON can carry escaped ("\ud800") but UTF-8 cannot encode. */
export const LONE_SURROGATES = ["\ud800", "\udfff", "\udbff", "\udc00x", "a\ud83d"];

/** User-Agents the server must count: real desktop and mobile browsers. */
export const BROWSER_UAS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
];

/** User-Agents the server must answer 202 but never count. */
export const BOT_UAS = [
  "curl/8.5.0",
  "Googlebot/2.1 (+http://www.google.com/bot.html)",
  "python-requests/2.31.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "Wget/1.21.4",
];

const encoder = new TextEncoder();

/**
 * One to four random edits of `text`'s UTF-8 bytes: flip, delete, duplicate, insert a byte that
 * matters to JSON or UTF-8. The result may or may not still be a valid event.
 */
export function mutateBytes(rng: Rng, text: string): Uint8Array<ArrayBuffer> {
  let bytes = Array.from(encoder.encode(text));
  const interesting = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x00, 0x0a, 0xff, 0xc0, 0xed, 0xe2, 0x80, 0x30, 0x6e];
  const edits = rng.between(1, 4);
  for (let edit = 0; edit < edits && bytes.length > 0; edit++) {
    const at = rng.int(bytes.length);
    switch (rng.int(5)) {
      case 0:
        bytes[at] = bytes[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        bytes.splice(at, rng.between(1, 8));
        break;
      case 2:
        bytes.splice(at, 0, ...bytes.slice(at, at + rng.between(1, 16)));
        break;
      case 3:
        bytes.splice(at, 0, rng.pick(interesting));
        break;
      default:
        bytes.splice(at, 0, ...encoder.encode(rng.pick(ODD_CHARACTERS)));
    }
  }
  return Uint8Array.from(bytes);
}
