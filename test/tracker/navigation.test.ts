import { describe, expect, test } from "bun:test";
import { isRouteHash, lastPage, trackedPath, watchNavigation } from "../../ui/tracker/navigation.ts";

test("route-like hashes", () => {
  expect(isRouteHash("#/")).toBe(true);
  expect(isRouteHash("#/cart")).toBe(true);
  expect(isRouteHash("#!/cart")).toBe(true);
  expect(isRouteHash("#!cart")).toBe(true);
  expect(isRouteHash("#section")).toBe(false);
  expect(isRouteHash("#")).toBe(false);
  expect(isRouteHash("")).toBe(false);
});

test("trackedPath keeps route hashes, drops anchors", () => {
  expect(trackedPath({ pathname: "/shop", hash: "" })).toBe("/shop");
  expect(trackedPath({ pathname: "/shop", hash: "#reviews" })).toBe("/shop");
  expect(trackedPath({ pathname: "/", hash: "#/cart" })).toBe("/#/cart");
  expect(trackedPath({ pathname: "/", hash: "#!/cart" })).toBe("/#!/cart");
});

describe("lastPage", () => {
  test("counts a page once however many times it is reported", () => {
    const page = lastPage();
    expect(page.changed("/")).toBe(true);
    expect(page.changed("/")).toBe(false); // replaceState on the same path
    expect(page.changed("/#/cart")).toBe(true);
    expect(page.changed("/#/cart")).toBe(false); // hashchange after popstate
    expect(page.changed("/")).toBe(true); // back
  });
  test("forget makes the same page count again (a back-forward cache restore)", () => {
    const page = lastPage();
    page.changed("/wines");
    page.forget();
    expect(page.changed("/wines")).toBe(true);
    expect(page.changed("/wines")).toBe(false);
  });
  test("an empty path is a page too", () => {
    const page = lastPage();
    expect(page.changed("")).toBe(true);
    expect(page.changed("")).toBe(false);
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
