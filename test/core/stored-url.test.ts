import { describe, expect, test } from "bun:test";
import { campaignOf, campaignOfStoredUrl, storedPageUrl, storedReferrer } from "../../src/core/stored-url.ts";

const NONE = { source: "", medium: "", campaign: "", content: "", term: "", ref: "" };

describe("storedPageUrl", () => {
  test.each([
    ["https://shop.test/wines", false, false, "https://shop.test/wines"],
    ["https://shop.test/reset?token=x#y", false, false, "https://shop.test/reset"],
    ["https://shop.test/app?x=1#/cart", true, false, "https://shop.test/app#/cart"],
    ["https://user:pw@shop.test/@wine?token=x", false, false, "https://shop.test/@wine"],
    ["https://user:pw@shop.test/a?q=1#top", false, true, "https://shop.test/a?q=1#top"],
  ])("%s (hash routes %p, keep query %p) -> %s", (href, hashMode, keepQuery, stored) => {
    expect(storedPageUrl(new URL(href), hashMode, keepQuery)).toBe(stored);
  });
});

describe("storedReferrer", () => {
  test("cuts the query and fragment unless asked to keep them", () => {
    expect(storedReferrer("https://mail.example/inbox?session=abc#m", false)).toBe("https://mail.example/inbox");
    expect(storedReferrer("https://mail.example/#/inbox", false)).toBe("https://mail.example/");
    expect(storedReferrer("https://www.google.com/", false)).toBe("https://www.google.com/");
    expect(storedReferrer("https://mail.example/inbox?session=abc", true)).toBe("https://mail.example/inbox?session=abc");
  });
});

describe("campaignOf", () => {
  test("none without a campaign parameter", () => {
    expect(campaignOf(new URL("https://shop.test/"))).toBeUndefined();
    expect(campaignOf(new URL("https://shop.test/?q=wine&prefer=red&resource=1"))).toBeUndefined();
  });

  test("every UTM tag, decoded; ref, or else source", () => {
    const url = new URL("https://shop.test/?utm_source=news&utm_medium=e%2Dmail&utm_campaign=black+friday&utm_content=top&utm_term=red%20wine&source=feed");
    expect(campaignOf(url)).toEqual({ source: "news", medium: "e-mail", campaign: "black friday", content: "top", term: "red wine", ref: "feed" });
    expect(campaignOf(new URL("https://shop.test/?source=feed&ref=hn"))).toEqual({ ...NONE, ref: "hn" });
  });

  test("values are cleaned of bidi and invisible characters, as labels are, but not cut", () => {
    const long = "w".repeat(500);
    expect(campaignOf(new URL(`https://shop.test/?utm_source=%E2%80%AEmoc.elgoog&utm_campaign=${long}%E2%80%8B`))).toEqual({ ...NONE, source: "moc.elgoog", campaign: long });
  });

  test("a parameter whose name merely ends like one does not count; the first of a repeated one does", () => {
    expect(campaignOf(new URL("https://shop.test/?xutm_source=no&utm_source=yes&utm_source=later"))).toEqual({ ...NONE, source: "yes" });
    expect(campaignOf(new URL("https://shop.test/?xref=no&utm_source=a"))).toEqual({ ...NONE, source: "a" });
  });

  test("read from a URL as older versions stored it", () => {
    expect(campaignOfStoredUrl("https://shop.test/a?token=x&utm_medium=social")).toEqual({ ...NONE, medium: "social" });
    expect(campaignOfStoredUrl("https://shop.test/a")).toBeUndefined();
    expect(campaignOfStoredUrl("not a url?utm_source=x")).toBeUndefined();
  });
});
