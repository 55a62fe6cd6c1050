import { describe, expect, test } from "bun:test";
import { countText, scopeNeeded, scopeOf, showFrame, type Placeholder } from "../../ui/live/placeholders.ts";
import { retryDelay, shouldRetry } from "../../ui/live/reconnect.ts";

const span = (attributes: Record<string, string>): Placeholder => ({ getAttribute: (name) => attributes[name] ?? null, textContent: "" });

describe("placeholders", () => {
  test("data-pulse-live=site is the site's count; empty or page, this page's", () => {
    expect(scopeOf(span({ "data-pulse-live": "" }))).toBe("page");
    expect(scopeOf(span({ "data-pulse-live": "page" }))).toBe("page");
    expect(scopeOf(span({ "data-pulse-live": "site" }))).toBe("site");
  });

  test("one socket's scope covers every placeholder of the page", () => {
    expect(scopeNeeded([span({ "data-pulse-live": "" })])).toBe("page");
    expect(scopeNeeded([span({ "data-pulse-live": "site" }), span({ "data-pulse-live": "site" })])).toBe("site");
    expect(scopeNeeded([span({ "data-pulse-live": "site" }), span({ "data-pulse-live": "" })])).toBe("both");
  });

  test("the template, its singular form for one, or the number alone", () => {
    const templated = span({ "data-pulse-template": "{n} people are reading this", "data-pulse-template-one": "{n} person is reading this" });
    expect(countText(templated, 12)).toBe("12 people are reading this");
    expect(countText(templated, 1)).toBe("1 person is reading this");
    expect(countText(templated, 0)).toBe("0 people are reading this");
    expect(countText(span({ "data-pulse-template": "{n} here, {n} now" }), 1)).toBe("1 here, 1 now");
    expect(countText(span({}), 7)).toBe("7");
  });

  test("frames: p for the page's placeholders, s for the site's; anything else is ignored", () => {
    const page = span({ "data-pulse-live": "" });
    const site = span({ "data-pulse-live": "site", "data-pulse-template": "{n} online" });
    for (const frame of ["p12", "s37"]) for (const placeholder of [page, site]) showFrame(placeholder, frame);
    expect([page.textContent, site.textContent]).toEqual(["12", "37 online"]);
    for (const junk of ["12", "p", "p-1", "x3", "p1e9", "<b>1</b>", "p1234567890", 5, null, new ArrayBuffer(2)]) showFrame(page, junk);
    expect(page.textContent).toBe("12");
  });
});

describe("reconnecting", () => {
  test("full jitter under a capped exponential step", () => {
    expect(retryDelay(0, 1)).toBe(1000);
    expect(retryDelay(3, 0.5)).toBe(4000);
    expect(retryDelay(20, 1)).toBe(60_000);
    expect(retryDelay(5, 0)).toBe(0);
  });

  test("gives up after ten closes in a row without a count", () => {
    expect(shouldRetry(0)).toBe(true);
    expect(shouldRetry(9)).toBe(true);
    expect(shouldRetry(10)).toBe(false);
  });
});
