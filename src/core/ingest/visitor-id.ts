import { Memo } from "./memo.ts";
import { sipHash48 } from "./siphash.ts";

const DAY_MS = 86_400_000;
const SALT_BYTES = 16;

export type RandomBytes = (length: number) => Uint8Array;

/** The salts as kept between restarts and shared by every worker process. */
export interface SaltState {
  day: number;
  current: string;
  previous: string | null;
  /**
   * Tomorrow's salt, chosen a day ahead so that every worker turns to the same salt at midnight
   * without waiting to be told (absent in files from older versions).
   */
  next?: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `value` is salts as `state()` writes them: what comes from another machine is checked before it is used. */
export function isSaltState(value: unknown): value is SaltState {
  if (typeof value !== "object" || value === null) return false;
  const { day, current, previous, next } = value as Record<string, unknown>;
  const salt = (text: unknown) => typeof text === "string" && text.length >= 16 && text.length <= 64 && BASE64.test(text);
  return Number.isSafeInteger(day) && (day as number) >= 0 && salt(current) && (previous === null || salt(previous)) && (next === undefined || salt(next));
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
  private next: Uint8Array | null = null;
  /** What `at` returns, rebuilt only when the salts change: it is asked on every event. */
  private inForce: readonly Uint8Array[] = [];
  private readonly listeners = new Set<(state: SaltState) => void>();

  /**
   * `saved` continues from salts kept before a restart, so returning visitors keep their ids;
   * `onRotate` is told each new state so it can be kept again.
   */
  constructor(
    private readonly random: RandomBytes = secureRandom,
    saved?: SaltState,
    private readonly onRotate?: (state: SaltState) => void,
  ) {
    if (saved) this.replace(saved);
  }

  /** Takes another process's salts (a worker is given the primary's), unless they are older than these. */
  replace(state: SaltState): void {
    if (state.day < this.day) return;
    this.day = state.day;
    this.current = fromBase64(state.current);
    this.previous = state.previous === null ? null : fromBase64(state.previous);
    this.next = state.next === undefined ? null : fromBase64(state.next);
    this.inForce = this.previous ? [this.current, this.previous] : [this.current];
  }

  /** The salts in force at `time`: today's first, then yesterday's if there was one. */
  at(time: number): readonly Uint8Array[] {
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) {
      const nextDay = day === this.day + 1;
      this.previous = nextDay ? this.current : null;
      this.current = (nextDay && this.next) || this.random(SALT_BYTES);
      this.next = this.random(SALT_BYTES);
      this.day = day;
      this.inForce = this.previous ? [this.current, this.previous] : [this.current];
      const state = this.state();
      this.onRotate?.(state);
      for (const listener of this.listeners) listener(state);
    }
    return this.inForce;
  }

  /** Also told each rotation (the primary passes the new salts on to its workers); returns how to stop. */
  onChange(listener: (state: SaltState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): SaltState {
    return {
      day: this.day,
      current: toBase64(this.current),
      previous: this.previous && toBase64(this.previous),
      ...(this.next ? { next: toBase64(this.next) } : {}),
    };
  }
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/** A fixed key: the digest only shortens the User-Agent, and is itself hashed under the day's salt. */
const DIGEST_KEY = new Uint8Array(16);
/** Each User-Agent's digest. Real traffic repeats a few thousand User-Agents. */
const digests = new Memo(4096, (userAgent) => sipHash48(DIGEST_KEY, userAgent));

/**
 * A visitor id: a keyed hash (SipHash-2-4 under the day's salt) of site, client address and
 * User-Agent, cut to 48 bits so it is a plain number (compact as a Map key; collisions are
 * negligible at a site's visitor counts). The User-Agent enters as a 48-bit digest, remembered
 * per string: hashing its hundred-odd bytes again for every event cost more than the rest.
 */
export function visitorId(salt: Uint8Array, site: string, ip: string, userAgent: string): number {
  return sipHash48(salt, `${site}\0${ip}\0${digests.get(userAgent)}`);
}
