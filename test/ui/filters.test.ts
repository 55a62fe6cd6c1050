import { describe, expect, test } from "bun:test";
import { dimensionOfList, filterChips, filtersFromSearch, searchFor, withFilter, withoutFilter } from "../../ui/filters.ts";

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
