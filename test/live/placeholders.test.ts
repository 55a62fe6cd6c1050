import { describe, expect, test } from "bun:test";
import { countText, parseFrame, scopeNeeded, scopeOf, type Placeholder } from "../../ui/live/placeholders.ts";
import { isRefusal, retryDelay, shouldRetry } from "../../ui/live/reconnect.ts";

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

  test("frames: p for the page, s for the site; anything else is ignored", () => {
    expect(parseFrame("p12")).toEqual({ scope: "page", count: 12 });
    expect(parseFrame("s0")).toEqual({ scope: "site", count: 0 });
    for (const junk of ["12", "p", "p-1", "x3", "p1e9", "<b>1</b>", "p1234567890", 5, null]) expect(parseFrame(junk)).toBeNull();
  });
});

describe("reconnecting", () => {
  test("full jitter under a capped exponential step", () => {
    expect(retryDelay(0, 1)).toBe(1000);
    expect(retryDelay(3, 0.5)).toBe(4000);
    expect(retryDelay(20, 1)).toBe(60_000);
    expect(retryDelay(5, 0)).toBe(0);
  });

  test("stops after three refusals, or ten tries in a row that never opened", () => {
    expect([1008, 1009, 4000, 4999].every(isRefusal)).toBe(true);
    expect([1000, 1001, 1006, 1011, 1013].some(isRefusal)).toBe(false);
    const refused = { failedOpens: 0, refusals: 0 };
    expect([shouldRetry(refused, 1008), shouldRetry(refused, 1008), shouldRetry(refused, 1008)]).toEqual([true, true, false]);
    const lost = { failedOpens: 9, refusals: 0 };
    expect(shouldRetry(lost, 1006)).toBe(true);
    lost.failedOpens = 10;
    expect(shouldRetry(lost, 1006)).toBe(false);
    expect(shouldRetry({ failedOpens: 0, refusals: 0 }, 1001)).toBe(true);
  });
});
