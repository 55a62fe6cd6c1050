import { describe, expect, test } from "bun:test";
import { campaignOf, campaignOfStoredUrl, pagePathOf, storedPageUrl, storedReferrer } from "../../../src/core/ingest/stored-url.ts";

const NONE = { source: "", medium: "", campaign: "", content: "", term: "", ref: "" };

describe("storedPageUrl", () => {
  test.each([
    ["https://shop.test/wines", false, false, "https://shop.test/wines"],
    ["https://shop.test/reset?token=x#y", false, false, "https://shop.test/reset"],
    ["https://shop.test/app?x=1#/cart", true, false, "https://shop.test/app#/cart"],
    ["https://user:pw@shop.test/@wine?token=x", false, false, "https://shop.test/@wine"],
    ["https://user:pw@shop.test/a?q=1#top", false, true, "https://shop.test/a?q=1#top"],
    ["https://s1.test/#/reset-password?token=SECRETRESET&email=a@b.c", true, false, "https://s1.test/#/reset-password"],
    ["https://s1.test/app#!/cart?session=x", true, false, "https://s1.test/app#!/cart"],
    ["https://s1.test/#access_token=SECRET4&state=x", true, false, "https://s1.test/"],
    ["https://s1.test/cart;jsessionid=SECRET5", false, false, "https://s1.test/cart"],
    ["https://s1.test/a;JSESSIONID=SECRET5/b;v=1;x=2/c", false, false, "https://s1.test/a/b/c"],
    ["https://s1.test/reset%3Ftoken=SECRET6", false, false, "https://s1.test/reset"],
    ["https://s1.test/a;b/reset%3ftoken=SECRET6#/x?y", true, false, "https://s1.test/a;b/reset#/x"],
    ["https://s1.test/#/reset?token=SECRETRESET", true, true, "https://s1.test/#/reset?token=SECRETRESET"],
    ["https://s1.test/cart;jsessionid=x", false, true, "https://s1.test/cart;jsessionid=x"],
  ])("%s (hash routes %p, keep query %p) -> %s", (href, hashMode, keepQuery, stored) => {
    const url = new URL(href);
    expect(storedPageUrl(url, pagePathOf(url, hashMode), keepQuery)).toBe(stored);
  });
});

describe("pagePathOf", () => {
  test.each([
    ["https://s1.test/#/reset-password?token=SECRETRESET&email=a@b.c", true, "/#/reset-password"],
    ["https://s1.test/#!/cart?x=1", true, "/#!/cart"],
    ["https://s1.test/#access_token=SECRET4", true, "/"],
    ["https://s1.test/#/cart;jsessionid=SECRET5", true, "/#/cart"],
    ["https://s1.test/cart;jsessionid=SECRET5?a=1#/x", false, "/cart"],
    ["https://s1.test/reset%3Ftoken=SECRET6", false, "/reset"],
    ["https://s1.test/%C3%BC/a;b", false, "/%C3%BC/a;b"],
  ])("%s (hash routes %p) is counted as %s", (href, hashMode, path) => {
    expect(pagePathOf(new URL(href), hashMode)).toBe(path);
  });
  test.each([
    ["https://s1.test/cellar#wines", "/cellar#wines"],
    ["https://s1.test/#wines/11", "/#wines/11"],
    ["https://s1.test/#about?tab=2", "/#about"],
    ["https://s1.test/cellar#", "/cellar"],
    ["https://s1.test/#!access_token=SECRET4", "/"],
    ["https://s1.test/#state=x/y", "/"],
  ])("any hash the tracker marks as a route is kept, but parameters: %s is counted as %s", (href, path) => {
    expect(pagePathOf(new URL(href), true)).toBe(path);
  });
});

describe("storedReferrer", () => {
  test("never keeps a user name or password, even with the query", () => {
    expect(storedReferrer("https://u:SECRET12@ref.example/", false)).toBe("https://ref.example/");
    expect(storedReferrer("https://u:SECRET12@ref.example/a?x=1", true)).toBe("https://ref.example/a?x=1");
    expect(storedReferrer("https://SECRET13@ref.example/a?mail=a@b.c", true)).toBe("https://ref.example/a?mail=a@b.c");
    expect(storedReferrer("https://ref.example/a?mail=a@b.c", true)).toBe("https://ref.example/a?mail=a@b.c");
    expect(storedReferrer("android-app://u:p@com.example.app/", false)).toBe("android-app://com.example.app/");
  });

  test("is cleaned as labels are: no bidi or invisible characters, no lone surrogates", () => {
    expect(storedReferrer("https://ref.example/\u202Eab\u200B", false)).toBe("https://ref.example/ab");
    expect(storedReferrer("https://ref.example/\ud800", true)).toBe("https://ref.example/\ufffd");
  });

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
