import { sipHash48 } from "./siphash.ts";

const DAY_MS = 86_400_000;
const SALT_BYTES = 16;

export type RandomBytes = (length: number) => Uint8Array;

/** The salts as kept between restarts (and, later, shared between workers). */
export interface SaltState {
  day: number;
  current: string;
  previous: string | null;
}

const secureRandom: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/**
 * Random salts that rotate at midnight UTC, as Plausible's do: yesterday's salt is kept for one
 * more day so that a visit crossing midnight stays one visitor, then forgotten, which makes
 * yesterday's visitor ids impossible to link to today's or to recompute from an IP address.
 */
export class DailySalts {
  private day = Number.NaN;
  private current: Uint8Array = new Uint8Array(0);
  private previous: Uint8Array | null = null;

  /**
   * `saved` continues from salts kept before a restart, so returning visitors keep their ids;
   * `onRotate` is told each new state so it can be kept again.
   */
  constructor(
    private readonly random: RandomBytes = secureRandom,
    saved?: SaltState,
    private readonly onRotate?: (state: SaltState) => void,
  ) {
    if (saved) {
      this.day = saved.day;
      this.current = fromBase64(saved.current);
      this.previous = saved.previous === null ? null : fromBase64(saved.previous);
    }
  }

  /** The salts in force at `time`: today's first, then yesterday's if there was one. */
  at(time: number): Uint8Array[] {
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) {
      this.previous = day === this.day + 1 ? this.current : null;
      this.current = this.random(SALT_BYTES);
      this.day = day;
      this.onRotate?.(this.state());
    }
    return this.previous ? [this.current, this.previous] : [this.current];
  }

  state(): SaltState {
    return { day: this.day, current: toBase64(this.current), previous: this.previous && toBase64(this.previous) };
  }
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/**
 * A visitor id: a keyed hash (SipHash-2-4 under the day's salt) of site, client address and
 * User-Agent, cut to 48 bits so it is a plain number (compact as a Map key; collisions are
 * negligible at a site's visitor counts).
 */
export function visitorId(salt: Uint8Array, site: string, ip: string, userAgent: string): number {
  return sipHash48(salt, `${site}\0${ip}\0${userAgent}`);
}
