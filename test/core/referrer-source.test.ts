import { describe, expect, test } from "bun:test";
import { DIRECT, referrerSource } from "../../src/core/referrer-source.ts";

const page = new URL("https://shop.test/landing");

describe("referrerSource", () => {
  test.each([
    ["", DIRECT],
    ["not a url", DIRECT],
    ["android-app://com.example", DIRECT],
    ["https://www.google.com/search?q=x", "Google"],
    ["https://www.google.co.uk/", "Google"],
    ["https://t.co/abc", "Twitter"],
    ["https://l.facebook.com/l.php", "Facebook"],
    ["https://news.ycombinator.com/item?id=1", "Hacker News"],
    ["https://www.example.org/blog/post", "example.org"],
    ["https://shop.test/other-page", DIRECT],
    ["https://www.shop.test/other-page", DIRECT],
  ])("%s -> %s", (referrer, source) => {
    expect(referrerSource(referrer, page)).toBe(source);
  });

  test("utm_source, ref and source on the landing URL win over the referrer", () => {
    expect(referrerSource("https://www.google.com/", new URL("https://shop.test/?utm_source=newsletter"))).toBe("newsletter");
    expect(referrerSource("", new URL("https://shop.test/?ref=producthunt"))).toBe("producthunt");
  });
});
