import { describe, expect, test } from "bun:test";
import { Presence } from "../../../src/core/presence/presence.ts";
import { PRESENCE_TTL_MS } from "../../../src/core/presence/presence-timing.ts";
import { MAX_PRESENCE_PAGES_PER_SITE } from "../../../src/core/presence/site-presence.ts";

const SITE = "shop.example";
const T0 = 1_700_000_000_000;

function here(presence: Presence, tab: string, page: string, time = T0, site = SITE): void {
  presence.signal(time, site, tab, page, "here");
}

describe("Presence", () => {
  test("a tab is present on its page from 'here' until 'gone', and back with another 'here'", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/a");
    here(presence, "tabBBBBBBBB", "/a");
    here(presence, "tabCCCCCCCC", "/b");
    expect(presence.siteCount(SITE)).toBe(3);
    expect(presence.pageCount(SITE, "/a")).toBe(2);
    expect(presence.pageCount(SITE, "/b")).toBe(1);

    presence.signal(T0 + 1, SITE, "tabAAAAAAAA", "/a", "gone");
    expect(presence.siteCount(SITE)).toBe(2);
    expect(presence.pageCount(SITE, "/a")).toBe(1);

    here(presence, "tabAAAAAAAA", "/a", T0 + 2);
    expect(presence.siteCount(SITE)).toBe(3);
    expect(presence.pageCount(SITE, "/a")).toBe(2);
    expect(presence.present).toBe(3);
  });

  test("a 'here' on another page moves the tab (a single-page app's navigation); a repeated one changes nothing", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/wines");
    here(presence, "tabAAAAAAAA", "/wines/11", T0 + 1);
    here(presence, "tabAAAAAAAA", "/wines/11", T0 + 2);
    expect(presence.siteCount(SITE)).toBe(1);
    expect(presence.pageCount(SITE, "/wines")).toBe(0);
    expect(presence.pageCount(SITE, "/wines/11")).toBe(1);
  });

  test("'gone' for a tab never seen is harmless", () => {
    const presence = new Presence();
    presence.signal(T0, SITE, "tabAAAAAAAA", "/a", "gone");
    presence.signal(T0, SITE, "tabAAAAAAAA", "/a", "released");
    expect(presence.siteCount(SITE)).toBe(0);
    expect(presence.present).toBe(0);
    expect(presence.takeChanges()).toEqual([]);
    expect(presence.takeChangedSites()).toEqual([]);
  });

  test("a tab silent for the TTL expires; each signal (an engagement, a heartbeat) starts the TTL again", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/a");
    here(presence, "tabBBBBBBBB", "/b");
    here(presence, "tabAAAAAAAA", "/a", T0 + 60_000);
    presence.advance(T0 + PRESENCE_TTL_MS - 1);
    expect(presence.siteCount(SITE)).toBe(2);
    presence.advance(T0 + PRESENCE_TTL_MS);
    expect(presence.pageCount(SITE, "/a")).toBe(1);
    expect(presence.pageCount(SITE, "/b")).toBe(0);
    presence.advance(T0 + 60_000 + PRESENCE_TTL_MS);
    expect(presence.siteCount(SITE)).toBe(0);
    expect(presence.tabCount).toBe(0);
  });

  test("a signal older than the tab's last is ignored: a late 'here' does not undo a 'gone'", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/a", T0);
    presence.signal(T0 + 10, SITE, "tabAAAAAAAA", "/a", "gone");
    here(presence, "tabAAAAAAAA", "/a", T0 + 5);
    expect(presence.siteCount(SITE)).toBe(0);
    // And a late 'gone' does not end a later 'here'.
    here(presence, "tabAAAAAAAA", "/b", T0 + 20);
    presence.signal(T0 + 15, SITE, "tabAAAAAAAA", "/b", "gone");
    expect(presence.pageCount(SITE, "/b")).toBe(1);
  });

  test("a 'gone' that reaches the bus before the earlier 'here' it answers (another worker's batch) still ends the tab", () => {
    const presence = new Presence();
    presence.signal(T0 + 10, SITE, "tabAAAAAAAA", "/a", "gone");
    here(presence, "tabAAAAAAAA", "/a", T0);
    expect(presence.siteCount(SITE)).toBe(0);
    // Remembered until the TTL, like any tab: then forgotten.
    presence.advance(T0 + 10 + PRESENCE_TTL_MS);
    expect(presence.tabCount).toBe(0);
  });

  test("a held tab stays through the tracker's 'gone' and ends with 'released'; it expires unless held again", () => {
    const presence = new Presence();
    presence.signal(T0, SITE, "tabAAAAAAAA", "/a", "held");
    here(presence, "tabAAAAAAAA", "/a", T0 + 1);
    expect(presence.siteCount(SITE)).toBe(1);
    presence.signal(T0 + 2, SITE, "tabAAAAAAAA", "/a", "gone");
    expect(presence.siteCount(SITE)).toBe(1);
    presence.signal(T0 + 3, SITE, "tabAAAAAAAA", "/a", "released");
    expect(presence.siteCount(SITE)).toBe(0);

    presence.signal(T0 + 4, SITE, "tabBBBBBBBB", "/a", "held");
    presence.signal(T0 + 4 + PRESENCE_TTL_MS / 2, SITE, "tabBBBBBBBB", "/a", "held");
    presence.advance(T0 + 4 + PRESENCE_TTL_MS);
    expect(presence.siteCount(SITE)).toBe(1);
    presence.advance(T0 + 4 + PRESENCE_TTL_MS * 1.5);
    expect(presence.siteCount(SITE)).toBe(0);
  });

  test("a socket's 'held' and 'released' count even when a later tracker signal reached the bus first", () => {
    const presence = new Presence();
    // The tracker's "gone" (hidden tab) came first; the socket held since before still keeps it.
    presence.signal(T0 + 10, SITE, "tabAAAAAAAA", "/a", "gone");
    presence.signal(T0 + 5, SITE, "tabAAAAAAAA", "/a", "held");
    expect(presence.siteCount(SITE)).toBe(1);
    presence.signal(T0 + 20, SITE, "tabAAAAAAAA", "/a", "gone");
    expect(presence.siteCount(SITE)).toBe(1);
    // Released before the tracker's later "here": no longer held, but the tracker keeps it present.
    here(presence, "tabAAAAAAAA", "/a", T0 + 40);
    presence.signal(T0 + 30, SITE, "tabAAAAAAAA", "/a", "released");
    expect(presence.siteCount(SITE)).toBe(1);
    presence.signal(T0 + 50, SITE, "tabAAAAAAAA", "/a", "gone");
    expect(presence.siteCount(SITE)).toBe(0);
  });

  test("past the tab budget the tab heard from longest ago is dropped", () => {
    const presence = new Presence(PRESENCE_TTL_MS, 3);
    here(presence, "tab0000000", "/a", T0);
    here(presence, "tab1111111", "/a", T0 + 1);
    here(presence, "tab2222222", "/b", T0 + 2);
    here(presence, "tab0000000", "/a", T0 + 3);
    here(presence, "tab3333333", "/b", T0 + 4);
    expect(presence.tabCount).toBe(3);
    expect(presence.siteCount(SITE)).toBe(3);
    expect(presence.pageCount(SITE, "/a")).toBe(1);
    expect(presence.pageCount(SITE, "/b")).toBe(2);
  });

  test("past the budget, tabs that have gone are forgotten before any present one, however old", () => {
    const presence = new Presence(PRESENCE_TTL_MS, 3);
    // A widget held at the start and never heard from since (its socket is still open)...
    presence.signal(T0, SITE, "tabHeld0001", "/a", "held");
    // ...then other sockets come and go, each remembered as gone for a while.
    for (let i = 0; i < 5; i++) {
      presence.signal(T0 + 10 * i + 1, SITE, `tabChurn${i}00`, "/a", "held");
      presence.signal(T0 + 10 * i + 2, SITE, `tabChurn${i}00`, "/a", "released");
    }
    here(presence, "tabHere0001", "/b", T0 + 100);
    expect(presence.tabCount).toBe(3);
    expect(presence.pageCount(SITE, "/a")).toBe(1);
    expect(presence.siteCount(SITE)).toBe(2);
    // With only present tabs left, the one heard from longest ago goes.
    here(presence, "tabHere0002", "/b", T0 + 101);
    here(presence, "tabHere0003", "/b", T0 + 102);
    expect(presence.tabCount).toBe(3);
    expect(presence.pageCount(SITE, "/a")).toBe(0);
    expect(presence.pageCount(SITE, "/b")).toBe(3);
    // Expiry still takes every tab once its time is up, gone or present.
    presence.advance(T0 + 102 + PRESENCE_TTL_MS);
    expect(presence.tabCount).toBe(0);
  });

  test("tabs on pages past the site's page cap count in the site's total only", () => {
    const presence = new Presence();
    for (let i = 0; i < MAX_PRESENCE_PAGES_PER_SITE; i++) here(presence, `tab${String(i).padStart(8, "0")}`, `/p${i}`);
    here(presence, "tabXXXXXXXX", "/beyond");
    expect(presence.siteCount(SITE)).toBe(MAX_PRESENCE_PAGES_PER_SITE + 1);
    expect(presence.pageCount(SITE, "/beyond")).toBe(0);
    presence.signal(T0 + 1, SITE, "tabXXXXXXXX", "/beyond", "gone");
    expect(presence.siteCount(SITE)).toBe(MAX_PRESENCE_PAGES_PER_SITE);
    // A page that empties makes room for another.
    presence.signal(T0 + 1, SITE, "tab00000000", "/p0", "gone");
    here(presence, "tabXXXXXXXX", "/beyond", T0 + 2);
    expect(presence.pageCount(SITE, "/beyond")).toBe(1);
  });

  test("takeChanges reports each changed count once with its value now, and leaves out counts back where they were", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/a");
    here(presence, "tabBBBBBBBB", "/a");
    here(presence, "tabCCCCCCCC", "/b", T0, "other.example");
    expect(sorted(presence.takeChanges())).toEqual([
      { site: "other.example", page: null, count: 1 },
      { site: "other.example", page: "/b", count: 1 },
      { site: SITE, page: null, count: 2 },
      { site: SITE, page: "/a", count: 2 },
    ]);
    expect(presence.takeChanges()).toEqual([]);

    presence.signal(T0 + 1, SITE, "tabAAAAAAAA", "/a", "gone");
    here(presence, "tabAAAAAAAA", "/a", T0 + 2);
    here(presence, "tabBBBBBBBB", "/c", T0 + 2);
    expect(sorted(presence.takeChanges())).toEqual([
      { site: SITE, page: "/a", count: 1 },
      { site: SITE, page: "/c", count: 1 },
    ]);
    presence.advance(T0 + 2 + PRESENCE_TTL_MS);
    expect(sorted(presence.takeChanges())).toEqual([
      { site: "other.example", page: null, count: 0 },
      { site: "other.example", page: "/b", count: 0 },
      { site: SITE, page: null, count: 0 },
      { site: SITE, page: "/a", count: 0 },
      { site: SITE, page: "/c", count: 0 },
    ]);
    expect(presence.takeChanges()).toEqual([]);
  });

  test("takeChangedSites names each site whose counts moved once, however many signals moved them", () => {
    const presence = new Presence();
    here(presence, "tabAAAAAAAA", "/a");
    here(presence, "tabAAAAAAAA", "/b", T0 + 1);
    here(presence, "tabBBBBBBBB", "/b", T0 + 1, "other.example");
    expect(presence.takeChangedSites().sort()).toEqual(["other.example", SITE]);
    here(presence, "tabAAAAAAAA", "/b", T0 + 2);
    expect(presence.takeChangedSites()).toEqual([]);
  });

  test("counts only what it must keep: nothing is left of a site once its tabs expire, whether or not changes are taken", () => {
    const presence = new Presence();
    for (let i = 0; i < 100; i++) here(presence, `tab${String(i).padStart(8, "0")}`, `/p${i}`, T0, `s${i}.example`);
    presence.advance(T0 + PRESENCE_TTL_MS);
    expect(presence.tabCount).toBe(0);
    expect(presence.present).toBe(0);
    expect((presence as unknown as { sites: Map<string, unknown> }).sites.size).toBe(0);
  });
});

function sorted(changes: Iterable<{ site: string; page: string | null; count: number }>) {
  return [...changes].sort((a, b) => (a.site + (a.page ?? "")).localeCompare(b.site + (b.page ?? "")));
}

describe("Presence handed on", () => {
  test("the signals of every remembered tab, applied oldest first, make the same presence", () => {
    const source = new Presence();
    here(source, "tabAAAAAAAA", "/a", T0);
    source.signal(T0 + 1, SITE, "tabBBBBBBBB", "/b", "held");
    here(source, "tabCCCCCCCC", "/a", T0 + 2);
    source.signal(T0 + 3, SITE, "tabCCCCCCCC", "/a", "gone");
    here(source, "tabAAAAAAAA", "/c", T0 + 4);

    const copy = new Presence();
    for (const signal of source.signalsNow()) copy.apply(signal);
    expect(copy.signalsNow()).toEqual(source.signalsNow());
    for (const page of ["/a", "/b", "/c"]) expect(copy.pageCount(SITE, page)).toBe(source.pageCount(SITE, page));
    expect(copy.siteCount(SITE)).toBe(2);
    // The same tabs expire at the same times; the held one still ignores a tracker's "gone", and a late "here" for the gone tab is still ignored.
    for (const presence of [source, copy]) {
      presence.signal(T0 + 5, SITE, "tabBBBBBBBB", "/b", "gone");
      here(presence, "tabCCCCCCCC", "/a", T0 + 2);
      presence.advance(T0 + 4 + PRESENCE_TTL_MS);
    }
    expect(copy.signalsNow()).toEqual(source.signalsNow());
    expect(copy.siteCount(SITE)).toBe(1);
  });
});
