import Bowser from "bowser";
import { isbot } from "isbot";
import { clipLabel, MAX_LABEL_CHARS } from "./text.ts";

export interface ClientInfo {
  bot: boolean;
  browser: string;
  os: string;
  /** Desktop, Mobile, Tablet, TV or Unknown. */
  device: string;
}

export const UNKNOWN = "Unknown";

const DEVICE_CLASSES: Record<string, string> = { desktop: "Desktop", mobile: "Mobile", tablet: "Tablet", tv: "TV" };
const DESKTOP_SYSTEMS = new Set(["Windows", "macOS", "Linux", "Chrome OS"]);

/**
 * Real User-Agents are a few hundred characters at most. Only this much of one is read, parsed,
 * hashed and remembered: parsing grows with the length, so a very long one costs far more than
 * the rest of a request (see docs/benchmarks.md#max_user_agent_chars), and thousands remembered
 * in full would hold hundreds of megabytes.
 */
export const MAX_USER_AGENT_CHARS = 1000;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The part of a User-Agent header the server reads. */
export function readUserAgent(header: string): string {
  if (header.length <= MAX_USER_AGENT_CHARS) return header;
  // A copy, not a slice: a slice keeps the whole header alive for as long as it is remembered.
  return utf8Decoder.decode(utf8Encoder.encode(header.slice(0, MAX_USER_AGENT_CHARS)));
}

/** Reads a User-Agent header; an empty one is a bot, as nearly every real browser sends one. */
export function describeClient(userAgent: string): ClientInfo {
  if (userAgent.trim() === "" || isbot(userAgent)) return { bot: true, browser: UNKNOWN, os: UNKNOWN, device: UNKNOWN };
  const parsed = Bowser.parse(userAgent);
  // Names of browsers the parser does not know come from the string itself: labels like any other.
  const os = clipLabel(parsed.os.name ?? "", MAX_LABEL_CHARS) || UNKNOWN;
  const browser = clipLabel(parsed.browser.name ?? "", MAX_LABEL_CHARS) || UNKNOWN;
  const device = DEVICE_CLASSES[parsed.platform.type ?? ""] ?? (DESKTOP_SYSTEMS.has(os) ? "Desktop" : UNKNOWN);
  return { bot: false, browser, os, device };
}

/**
 * describeClient behind a small least-recently-used cache: parsing costs microseconds and real
 * traffic repeats a few thousand User-Agent strings over and over.
 */
export class ClientCache {
  private readonly cache = new Map<string, ClientInfo>();

  constructor(private readonly capacity = 2000) {}

  describe(userAgent: string): ClientInfo {
    const hit = this.cache.get(userAgent);
    if (hit) {
      this.cache.delete(userAgent);
      this.cache.set(userAgent, hit);
      return hit;
    }
    const info = describeClient(userAgent);
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userAgent, info);
    return info;
  }

  get size(): number {
    return this.cache.size;
  }
}
