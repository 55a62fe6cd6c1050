import { describe, expect, test } from "bun:test";
import { anchorIn, pageFollower } from "../../ui/live/page.ts";

/** A document with elements of these ids, and `<a name>` anchors of these names. */
const documentWith = (ids: string[], names: string[] = []) => ({
  getElementById: (id: string) => (ids.includes(id) ? {} : null),
  anchors: { namedItem: (name: string) => (names.includes(name) ? {} : null) },
});

describe("the page a widget counts", () => {
  const isAnchor = anchorIn(documentWith(["reviews", "café"], ["top"]));

  test("a hash route is the page, as the tracker counts it; an empty hash or one of parameters is not", () => {
    const pageOf = (pathname: string, hash: string, rule: string | null = null) => pageFollower(rule, isAnchor)(pathname, hash);
    expect(pageOf("/cellar", "#wines")).toBe("/cellar#wines");
    expect(pageOf("/cellar", "#wines/11")).toBe("/cellar#wines/11");
    expect(pageOf("/", "#/cart")).toBe("/#/cart");
    expect(pageOf("/cellar", "")).toBe("/cellar");
    expect(pageOf("/cellar", "#")).toBe("/cellar");
    expect(pageOf("/cellar", "#access_token=secret&state=1")).toBe("/cellar");
    // An anchor is no route: opened at one, the page is the path.
    expect(pageOf("/cellar", "#reviews")).toBe("/cellar");
    expect(pageOf("/cellar", "#top")).toBe("/cellar");
    expect(pageOf("/cellar", "#caf%C3%A9")).toBe("/cellar");
    // data-hash: "off", no hash is a page; "all", every one, anchors too.
    expect(pageOf("/cellar", "#wines", "off")).toBe("/cellar");
    expect(pageOf("/cellar", "#reviews", "all")).toBe("/cellar#reviews");
  });

  test("a new page only when the page as counted changes: a jump to an anchor stays on the route it was on", () => {
    const follow = pageFollower(null, isAnchor);
    const visits = [
      ["/cellar", "#wines"],
      ["/cellar", "#wines"],
      ["/cellar", "#reviews"],
      ["/cellar", "#about"],
      ["/cellar/cart", ""],
      ["/cellar/cart", ""],
      ["/shop", "#reviews"],
      ["/cellar", "#about"],
    ].map(([pathname, hash]) => follow(pathname!, hash!));
    expect(visits).toEqual(["/cellar#wines", false, false, "/cellar#about", "/cellar/cart", false, "/shop", "/cellar#about"]);
  });
});
