import { describe, expect, test } from "bun:test";
import type { LiveData } from "../../src/core/presence/live-widgets.ts";
import { isSiteOrigin, liveRoute, type LiveRouteDeps } from "../../src/server/routes/live-route.ts";

function open(query: string, origin: string, deps: Partial<LiveRouteDeps> = {}): { status: number | "upgraded"; data?: LiveData } {
  const url = new URL(`http://pulse.test/live?${query}`);
  let data: LiveData | undefined;
  const response = liveRoute(new Request(url, { headers: { origin } }), url, () => "192.0.2.1", (given) => ((data = given), true), {
    liveSites: ["shop.test"],
    allowOrigins: [],
    admission: undefined,
    ...deps,
  });
  return response ? { status: response.status } : { status: "upgraded", ...(data ? { data } : {}) };
}

describe("liveRoute", () => {
  test("--live-site '*' lets every site have widgets, each from its own origins only", () => {
    expect(open("site=any.example&page=/", "https://any.example", { liveSites: ["*"] }).status).toBe("upgraded");
    expect(open("site=any.example&page=/", "https://other.example", { liveSites: ["*"] }).status).toBe(403);
    expect(open("site=any.example&page=/", "https://any.example").status).toBe(403);
  });

  test("the socket's data: the page as ingest counts it, the scope, and a tab made when none is given", () => {
    const { data } = open("site=SHOP.test&page=/a;jsessionid=42/b", "https://shop.test");
    expect(data).toMatchObject({ kind: "live", site: "shop.test", page: "/a/b", scope: "page" });
    expect(data!.tab).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(open("site=shop.test&page=/x/../y&scope=both&tab=Given123", "https://shop.test").data).toMatchObject({ page: "/y", scope: "both", tab: "Given123" });
    expect(open("site=shop.test", "https://shop.test").data).toMatchObject({ page: "/", scope: "site" });
    expect(open(`site=shop.test&page=/${"é".repeat(150)}`, "https://shop.test").data!.page).toHaveLength(100);
  });

  test("a page with a hash route is that route's page, as a hash-routed event's; a hash of parameters is no part of it", () => {
    const pageOf = (page: string) => open(`site=shop.test&page=${encodeURIComponent(page)}`, "https://shop.test").data!.page;
    expect(pageOf("/cellar#wines")).toBe("/cellar#wines");
    expect(pageOf("/cellar#wines/11?sort=year")).toBe("/cellar#wines/11");
    expect(pageOf("/#/cart")).toBe("/#/cart");
    expect(pageOf("/cellar#access_token=secret&state=1")).toBe("/cellar");
    expect(pageOf("/cellar#")).toBe("/cellar");
  });
});

describe("isSiteOrigin", () => {
  test("the domain and its subdomains, http or https, any port; a site named with a port, that port only", () => {
    expect(isSiteOrigin("https://shop.test", "shop.test", [])).toBe(true);
    expect(isSiteOrigin("http://www.shop.test:8080", "shop.test", [])).toBe(true);
    expect(isSiteOrigin("https://fakeshop.test", "shop.test", [])).toBe(false);
    expect(isSiteOrigin("ftp://shop.test", "shop.test", [])).toBe(false);
    expect(isSiteOrigin("http://localhost:8080", "localhost:8080", [])).toBe(true);
    expect(isSiteOrigin("http://localhost:9090", "localhost:8080", [])).toBe(false);
    expect(isSiteOrigin("https://admin.example", "shop.test", ["https://admin.example"])).toBe(true);
    expect(isSiteOrigin(null, "shop.test", [])).toBe(false);
  });
});
