import { describe, expect, test } from "bun:test";
import { DIRECT, referrerSource as sourceWith } from "../../../src/core/ingest/referrer-source.ts";
import { campaignOf } from "../../../src/core/ingest/stored-url.ts";

/** The source as ingest reads it, with the landing URL's campaign. */
const referrerSource = (referrer: string, page: URL) => sourceWith(referrer, page, campaignOf(page));

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

  test("a remembered referrer is still judged against each page: internal on its own site, a source elsewhere", () => {
    const referrer = "https://www.shop.test/cart";
    expect(referrerSource(referrer, page)).toBe(DIRECT);
    expect(referrerSource(referrer, new URL("https://blog.test/"))).toBe("shop.test");
    expect(referrerSource(referrer, page)).toBe(DIRECT);
  });

  test("long referrers and more referrers than are remembered give the same answers", () => {
    const long = `https://www.reddit.com/r/selfhosted/comments/${"x".repeat(300)}`;
    expect(referrerSource(long, page)).toBe("Reddit");
    expect(referrerSource(long, page)).toBe("Reddit");
    for (let i = 0; i < 12_000; i++) {
      expect(referrerSource(`https://site${i % 7000}.example/post/${i}`, page)).toBe(`site${i % 7000}.example`);
    }
    expect(referrerSource("https://www.google.com/search?q=x", page)).toBe("Google");
  });
});
