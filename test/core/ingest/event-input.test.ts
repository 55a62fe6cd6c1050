import { describe, expect, test } from "bun:test";
import { normalizeSite, parseEventBody } from "../../../src/core/ingest/event-input.ts";
import { pagePathOf } from "../../../src/core/ingest/stored-url.ts";
import { HttpError } from "../../../src/server/http-error.ts";

function rejection(body: string): { status: number; message: string } {
  try {
    parseEventBody(body);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("parseEventBody", () => {
  test("reads the Plausible Events API long keys", () => {
    const input = parseEventBody(
      JSON.stringify({ name: "Signup", url: "https://shop.test/join?x=1", domain: "Shop.Test", referrer: "https://x.com/", props: { plan: "pro", seats: 3 } }),
    );
    expect(input.name).toBe("Signup");
    expect(input.url.href).toBe("https://shop.test/join?x=1");
    expect(input.domains).toEqual(["shop.test"]);
    expect(input.referrer).toBe("https://x.com/");
    expect(input.props).toEqual({ plan: "pro", seats: "3" });
  });

  test("reads the short keys Plausible's script sends, and takes the domain from the url", () => {
    const input = parseEventBody('{"n":"pageview","u":"https://app.test/#/cart","r":null,"h":1}');
    expect(input.domains).toEqual(["app.test"]);
    expect(input.hashMode).toBe(true);
    expect(pagePathOf(input.url, input.hashMode)).toBe("/#/cart");
  });

  test("several comma-separated domains count the event for each site", () => {
    expect(parseEventBody('{"n":"pageview","u":"https://a.test/","d":"a.test, rollup.test"}').domains).toEqual(["a.test", "rollup.test"]);
  });

  test("props may come as a JSON string, as older scripts send them", () => {
    expect(parseEventBody('{"n":"x","u":"https://a.test/","p":"{\\"k\\":\\"v\\"}"}').props).toEqual({ k: "v" });
  });

  test("prop names and values are cleaned as labels are, but values are not cut", () => {
    const long = "v".repeat(1990);
    const body = JSON.stringify({ n: "x", u: "https://a.test/", p: { "pl\u202Ean\u0000": "\u202Emoc.elgoog\u200B", k: `${long}\u2066`, "\ud800": "a\udc00" } });
    expect(parseEventBody(body).props).toEqual({ plan: "moc.elgoog", k: long, "\ufffd": "a\ufffd" });
  });

  test("a prop whose name shows nothing is left out, and the event kept", () => {
    expect(parseEventBody(JSON.stringify({ n: "x", u: "https://a.test/", p: { "\u200B\u202E": "v", " \r\t": "w", k: "v" } })).props).toEqual({ k: "v" });
  });

  test("reads the time zone Pulse's tracker sends", () => {
    expect(parseEventBody('{"n":"pageview","u":"https://a.test/","tz":"Europe/Paris"}').timeZone).toBe("Europe/Paris");
    expect(parseEventBody('{"n":"pageview","u":"https://a.test/"}').timeZone).toBeUndefined();
    expect(rejection(JSON.stringify({ n: "pageview", u: "https://a.test/", tz: "x".repeat(65) })).message).toBe("timezone is longer than 64 characters");
  });

  test("path drops the query and, without hash mode, the fragment", () => {
    const input = parseEventBody('{"n":"pageview","u":"https://a.test/p/q?utm_source=x#top"}');
    expect(pagePathOf(input.url, input.hashMode)).toBe("/p/q");
  });

  test.each([
    ["{bad", 400, "body is not valid JSON"],
    ["[1,2]", 400, "body must be a JSON object"],
    ['{"u":"https://a.test/"}', 400, "missing event name (name or n)"],
    ['{"n":"pageview"}', 400, "missing url (url or u)"],
    ['{"n":"pageview","u":"not a url"}', 400, "url is not a valid absolute URL"],
    ['{"n":"pageview","u":"ftp://a.test/"}', 400, "url must be http or https"],
    ['{"n":"pageview","u":"javascript:alert(1)"}', 400, "url must be http or https"],
    ['{"n":5,"u":"https://a.test/"}', 400, "name must be a string"],
    ['{"n":"pageview","u":"https://a.test/","d":"not a domain!"}', 400, 'domain "not a domain!" is not a valid host name'],
    ['{"n":"x","u":"https://a.test/","p":[1]}', 400, "props must be an object"],
    ['{"n":"x","u":"https://a.test/","p":{"k":{"nested":1}}}', 400, 'prop "k" must be a string, number or boolean'],
  ])("rejects %s", (body, status, message) => {
    expect(rejection(body)).toEqual({ status, message });
  });

  test("rejects too many or too long props, and over-long names and urls", () => {
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, "v"]));
    expect(rejection(JSON.stringify({ n: "x", u: "https://a.test/", p: many })).message).toBe("more than 30 props");
    expect(rejection(JSON.stringify({ n: "x", u: "https://a.test/", p: { k: "v".repeat(2001) } })).message).toBe(
      'prop "k" is longer than 2000 characters',
    );
    expect(rejection(JSON.stringify({ n: "x", u: "https://a.test/", p: { ["k".repeat(301)]: "v" } })).message).toBe(
      "prop names must be 1 to 300 characters",
    );
    expect(rejection(JSON.stringify({ n: "x".repeat(121), u: "https://a.test/" })).status).toBe(400);
    expect(rejection(JSON.stringify({ n: "x", u: `https://a.test/${"a".repeat(2000)}` })).message).toBe("url is longer than 2000 characters");
  });
});

describe("normalizeSite", () => {
  test("a host name, lower case, with a port only if it is one", () => {
    expect(normalizeSite(" Shop.Example ")).toBe("shop.example");
    expect(normalizeSite("localhost:8080")).toBe("localhost:8080");
    expect(normalizeSite("a.test:65535")).toBe("a.test:65535");
    expect(normalizeSite("a.test:99999")).toBeNull();
    expect(normalizeSite("a.test:0")).toBeNull();
    expect(normalizeSite("a.test:08080")).toBeNull();
    expect(normalizeSite("a..b")).toBeNull();
  });
});
