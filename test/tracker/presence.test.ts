import { describe, expect, test } from "bun:test";
import { isPresentAfter, presenceTeller, tabId } from "../../ui/tracker/presence.ts";

/** What the server accepts as a tab id (docs/protocol.md). */
const TAB_ID = /^[A-Za-z0-9]{8,16}$/;

describe("tabId", () => {
  test("from crypto: 12 to 14 characters of [0-9a-z], a new one each time", () => {
    const ids = Array.from({ length: 1000 }, () => tabId(crypto));
    for (const id of ids) expect(id).toMatch(TAB_ID);
    expect(new Set(ids).size).toBe(1000);
  });
  test("the extremes of the random numbers still make a valid id", () => {
    const fixed = (value: number) => ({ getRandomValues: <T extends ArrayBufferView | null>(array: T) => ((array as Uint32Array).fill(value), array) });
    expect(tabId(fixed(0))).toMatch(TAB_ID);
    expect(tabId(fixed(2 ** 32 - 1))).toMatch(TAB_ID);
    expect(tabId(fixed(0))).toBe("1njchs1njchs");
    expect(tabId(fixed(2 ** 32 - 1))).toHaveLength(14);
  });
});

describe("isPresentAfter", () => {
  test("shown: present", () => {
    expect(isPresentAfter("visibilitychange", "visible")).toBe(true);
    expect(isPresentAfter("pageshow", "visible")).toBe(true);
    expect(isPresentAfter("load", "visible")).toBe(true);
  });
  test("hidden, or left (pagehide, before the page says it is hidden): gone", () => {
    expect(isPresentAfter("visibilitychange", "hidden")).toBe(false);
    expect(isPresentAfter("pagehide", "visible")).toBe(false);
    expect(isPresentAfter("pagehide", "hidden")).toBe(false);
    expect(isPresentAfter("load", "hidden")).toBe(false);
  });
});

describe("presenceTeller", () => {
  test("the first pageview said here: nothing to add while the page stays", () => {
    const tell = presenceTeller();
    expect(tell(true)).toBeUndefined();
  });
  test("a leave is one gone (hidden, then pagehide), a return one here", () => {
    const tell = presenceTeller();
    expect(tell(false)).toBe("gone"); // visibilitychange to hidden
    expect(tell(false)).toBeUndefined(); // pagehide of the same leave
    expect(tell(true)).toBe("here"); // shown again (or restored from the back-forward cache)
    expect(tell(true)).toBeUndefined();
    expect(tell(false)).toBe("gone");
  });
  test("a pageview while hidden says here: showing the page then adds nothing, hiding it says gone", () => {
    const tell = presenceTeller();
    tell(false);
    expect(tell(true)).toBe("here"); // the pageview's own, sent as the pageview
    expect(tell(true)).toBeUndefined();
    expect(tell(false)).toBe("gone");
  });
});
