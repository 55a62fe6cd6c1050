import { describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { MAX_LABEL_CHARS } from "../../../src/core/ingest/text.ts";
import { ClientCache, describeClient, MAX_USER_AGENT_CHARS, readUserAgent } from "../../../src/core/ingest/user-agent.ts";
import { UA } from "../../helpers/user-agents.ts";

/** Unrecognised by the parser, which then names the browser after everything before "/1.0". */
const HOSTILE_UA = `Mozilla/5.0 (X11) ${"a".repeat(12_000)}/1.0 (x`;

describe("describeClient", () => {
  test("browser, OS and device class of common browsers", () => {
    expect(describeClient(UA.chromeWindows)).toEqual({ bot: false, browser: "Chrome", os: "Windows", device: "Desktop" });
    expect(describeClient(UA.safariIphone)).toEqual({ bot: false, browser: "Safari", os: "iOS", device: "Mobile" });
    expect(describeClient(UA.safariIpad).device).toBe("Tablet");
    expect(describeClient(UA.firefoxLinux)).toEqual({ bot: false, browser: "Firefox", os: "Linux", device: "Desktop" });
  });

  test.each(["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.31", "", "   "])("%p is a bot", (ua) => {
    expect(describeClient(ua).bot).toBe(true);
  });

  test("unknown strings are not thrown on", () => {
    expect(describeClient("☃ garbage \u0000").bot).toBe(false);
  });

  test("browser and OS names are labels: clipped to the protocol's length, invisible characters removed", () => {
    const client = describeClient(HOSTILE_UA);
    expect(client.browser.length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    expect(client.browser).toStartWith("Mozilla/5.0 (X11) aaa");
    expect(client.browser).toEndWith("…");
    const bidi = describeClient("Mozilla/5.0 (X11) \u202Eevil\u200B/1.0 (x");
    expect(bidi.browser).toBe("Mozilla/5.0 (X11) evil");
  });

  test("a browser name of invisible characters only is Unknown", () => {
    expect(describeClient("\u200B\u200B/1.0 (x").browser).toBe("Unknown");
  });
});

describe("readUserAgent", () => {
  test("only the first MAX_USER_AGENT_CHARS characters are read: real ones are far shorter", () => {
    expect(readUserAgent(UA.chromeWindows)).toBe(UA.chromeWindows);
    const read = readUserAgent(HOSTILE_UA);
    expect(read).toHaveLength(MAX_USER_AGENT_CHARS);
    expect(HOSTILE_UA.startsWith(read)).toBe(true);
  });

  test("what is read of an over-long User-Agent does not keep the whole header alive", () => {
    const kept: string[] = [];
    Bun.gc(true);
    const before = heapStats().heapSize;
    // Each header is 12 KB and dropped at once; what is read of it is kept, as the caches keep it.
    for (let i = 0; i < 2000; i++) kept.push(readUserAgent(`${i} ${HOSTILE_UA}`));
    Bun.gc(true);
    const grown = heapStats().heapSize - before;
    expect(kept).toHaveLength(2000);
    // About 2 MB for 2,000 reads of 1,000 characters; 24 MB if each held its header.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("ClientCache", () => {
  test("caches up to its capacity, dropping the least recently used", () => {
    const cache = new ClientCache(2);
    const first = cache.describe(UA.chromeWindows);
    expect(cache.describe(UA.chromeWindows)).toBe(first);
    cache.describe(UA.firefoxLinux);
    cache.describe(UA.chromeWindows);
    cache.describe(UA.safariIphone); // evicts firefox, the least recent
    expect(cache.size).toBe(2);
    expect(cache.describe(UA.chromeWindows)).toBe(first);
  });
});
