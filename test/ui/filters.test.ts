import { describe, expect, test } from "bun:test";
import { dimensionOfList, filterChips, filtersFromSearch, searchFor, withFilter, withoutFilter } from "../../ui/filters.ts";
import { windowFromSearch } from "../../ui/view-window.ts";

describe("filters in the URL", () => {
  test("read from the search string: known dimensions only, trimmed, empty ones left out", () => {
    expect(filtersFromSearch("?site=shop.test&page=/pricing&country=FR&tv&utm=x&browser=%20&os=%20Linux%20")).toEqual({
      page: "/pricing",
      country: "FR",
      os: "Linux",
    });
    expect(filtersFromSearch(`?page=${"x".repeat(201)}`)).toEqual({});
  });

  test("written in one order whatever order they were added in, so one view has one URL", () => {
    const a = withFilter(withFilter({}, "country", "FR"), "page", "/pricing");
    const b = withFilter(withFilter({}, "page", "/pricing"), "country", "FR");
    expect(searchFor("shop.test", a)).toBe("?site=shop.test&page=%2Fpricing&country=FR");
    expect(searchFor("shop.test", b)).toBe(searchFor("shop.test", a));
    expect(filtersFromSearch(searchFor("shop.test", a))).toEqual(a);
    expect(searchFor("shop.test", a, { tv: true })).toBe("?tv&site=shop.test&page=%2Fpricing&country=FR");
  });

  test("a filter replaces one of its dimension, and removing one keeps the others", () => {
    const filters = withFilter({ page: "/", country: "FR" }, "page", "/cart");
    expect(filters).toEqual({ page: "/cart", country: "FR" });
    expect(withoutFilter(filters, "page")).toEqual({ country: "FR" });
  });
});

describe("filter chips", () => {
  test("say what they filter by and name their remove button after it", () => {
    expect(filterChips({ country: "FR", page: "/pricing" })).toEqual([
      { dimension: "page", value: "/pricing", text: "Page: /pricing", removeLabel: "Remove filter: page /pricing" },
      { dimension: "country", value: "FR", text: "Country: 🇫🇷 France", removeLabel: "Remove filter: country FR" },
    ]);
  });

  test("each top list filters by its own dimension", () => {
    expect(dimensionOfList("top-countries")).toBe("country");
    expect(dimensionOfList("top-events")).toBe("event");
    expect(dimensionOfList("chart-minutes")).toBeUndefined();
  });
});

describe("the window in the URL", () => {
  test("written after the site, left out for 30 minutes; anything else read back is the default", () => {
    expect(searchFor("shop.test", { country: "FR" }, { window: 5 })).toBe("?site=shop.test&window=5&country=FR");
    expect(searchFor("shop.test", {}, { window: 30 })).toBe("?site=shop.test");
    expect(searchFor("shop.test", {}, { window: 1, tv: true })).toBe("?tv&site=shop.test&window=1");
    for (const window of [1, 5, 30] as const) expect(windowFromSearch(searchFor("shop.test", {}, { window }))).toBe(window);
    for (const search of ["?window=2", "?window=", "?window=5.0x", "?window=-1", "?window=30"]) expect(windowFromSearch(search)).toBe(30);
    // Not a filter: the filters of a windowed URL are only its filters.
    expect(filtersFromSearch("?site=shop.test&window=5&country=FR")).toEqual({ country: "FR" });
  });
});
