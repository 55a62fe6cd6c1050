import { describe, expect, test } from "bun:test";
import { lastPage, routeOf, trackedPath, watchNavigation } from "../../ui/tracker/navigation.ts";

describe("routeOf", () => {
  const anchors = new Set(["reviews", "top"]);
  const isAnchor = (name: string) => anchors.has(name);
  const route = (hash: string, rule: string | null = null) => routeOf(hash, rule, isAnchor);

  test("by default every hash is a route, as in apps that route by hash", () => {
    expect(route("#wines")).toBe("#wines");
    expect(route("#wines/11")).toBe("#wines/11");
    expect(route("#/cart")).toBe("#/cart");
    expect(route("#!/cart")).toBe("#!/cart");
  });
  test("…but a hash naming an element on the page is an anchor: no route of its own", () => {
    expect(route("#reviews")).toBeUndefined();
    expect(route("#top")).toBeUndefined();
  });
  test("an empty hash, or none, is the page itself", () => {
    expect(route("")).toBe("");
    expect(route("#")).toBe("");
  });
  test("the name is looked up when asked, not remembered: a view that renders an anchor makes it one", () => {
    expect(routeOf("#later", null, () => false)).toBe("#later");
    expect(routeOf("#later", null, () => true)).toBeUndefined();
  });
  test('data-hash="all": every hash is a route, anchors too', () => {
    expect(route("#reviews", "all")).toBe("#reviews");
    expect(route("#wines", "all")).toBe("#wines");
    expect(route("#", "all")).toBe("");
  });
  test('data-hash="off": no hash is ever a route, not even #/route', () => {
    expect(route("#wines", "off")).toBe("");
    expect(route("#/cart", "off")).toBe("");
    expect(route("#reviews", "off")).toBe("");
  });
  test("a hash of parameters (a sign-in's token) is never a route, whatever the rule; a route's own query is", () => {
    expect(route("#access_token=secret&state=1")).toBe("");
    expect(route("#access_token=secret", "all")).toBe("");
    expect(route("#/search?q=wine")).toBe("#/search?q=wine");
    expect(route("#wines?sort=price")).toBe("#wines?sort=price");
  });
  test("an unknown data-hash value is the default", () => {
    expect(route("#wines", "yes")).toBe("#wines");
    expect(route("#reviews", "yes")).toBeUndefined();
  });
  test("the anchor lookup gets the name as the URL has it, without its #", () => {
    const asked: string[] = [];
    routeOf("#vin%20rouge", null, (name) => (asked.push(name), false));
    expect(asked).toEqual(["vin%20rouge"]);
  });
});

test("trackedPath: the path and its route, if any", () => {
  expect(trackedPath("/shop", "")).toBe("/shop");
  expect(trackedPath("/shop", undefined)).toBe("/shop");
  expect(trackedPath("/", "#wines/11")).toBe("/#wines/11");
  expect(trackedPath("/", "#!/cart")).toBe("/#!/cart");
});

describe("lastPage", () => {
  test("counts a page once however many times it is reported", () => {
    const page = lastPage();
    expect(page.changed("/", "")).toBe(true);
    expect(page.changed("/", "")).toBe(false); // replaceState on the same path
    expect(page.changed("/", "#/cart")).toBe(true);
    expect(page.changed("/", "#/cart")).toBe(false); // hashchange after popstate
    expect(page.changed("/", "")).toBe(true); // back
  });
  test("forget makes the same page count again (a back-forward cache restore)", () => {
    const page = lastPage();
    page.changed("/wines", "");
    page.forget();
    expect(page.changed("/wines", "")).toBe(true);
    expect(page.changed("/wines", "")).toBe(false);
  });
  test("an empty path is a page too", () => {
    const page = lastPage();
    expect(page.changed("", "")).toBe(true);
    expect(page.changed("", "")).toBe(false);
  });
  test("a jump to an anchor stays on the page counted last, a route included", () => {
    const page = lastPage();
    page.changed("/", "#wines/11");
    expect(page.changed("/", undefined)).toBe(false);
    expect(page.changed("/", "#about")).toBe(true);
    expect(page.changed("/", undefined)).toBe(false);
    expect(page.changed("/", "")).toBe(true); // the empty hash: the home page
  });
  test("…but an anchor on another path (or on the first page) is that path's page", () => {
    const page = lastPage();
    expect(page.changed("/wine", undefined)).toBe(true);
    page.changed("/", "#wines");
    expect(page.changed("/docs", undefined)).toBe(true);
    expect(page.changed("/docs", undefined)).toBe(false);
    expect(page.changed("/docs", "")).toBe(false);
  });
});

describe("watchNavigation", () => {
  function setup() {
    const calls: string[] = [];
    const listeners = new Map<string, (event: Event) => void>();
    const history = {
      pushState(_data: unknown, _unused: string, url?: string | URL | null) {
        calls.push(`push ${url}`);
      },
      replaceState(_data: unknown, _unused: string, url?: string | URL | null) {
        if (url === "bad") throw new DOMException("cross-origin", "SecurityError");
        calls.push(`replace ${url}`);
      },
    } as unknown as History;
    watchNavigation(history, (type, listener) => listeners.set(type, listener), () => calls.push("change"));
    return { calls, listeners, history };
  }

  test("runs the original history method, then reports the change", () => {
    const { calls, history } = setup();
    history.pushState({}, "", "/a");
    history.replaceState(null, "", "/b");
    expect(calls).toEqual(["push /a", "change", "replace /b", "change"]);
  });
  test("the original's errors reach the caller, and no change is reported", () => {
    const { calls, history } = setup();
    expect(() => history.replaceState(null, "", "bad")).toThrow("cross-origin");
    expect(calls).toEqual([]);
  });
  test("listens to popstate and hashchange", () => {
    const { calls, listeners } = setup();
    expect([...listeners.keys()].sort()).toEqual(["hashchange", "popstate"]);
    listeners.get("popstate")!(new Event("popstate"));
    expect(calls).toEqual(["change"]);
  });
});
