import { describe, expect, test } from "bun:test";
import { ClientCache, describeClient } from "../../src/core/user-agent.ts";
import { UA } from "../helpers/user-agents.ts";


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
