import { describe, expect, test } from "bun:test";
import { filtersFromObject, filtersFromQuery, isFilterError, viewTopic, type FiltersResult } from "../../../src/core/wire/view-filters.ts";

const errorOf = (result: FiltersResult) => (isFilterError(result) ? result.error : null);

describe("view filters", () => {
  test("the canonical form is the same whatever the order, and names the topic", () => {
    const a = filtersFromQuery(new URLSearchParams("site=shop.test&page=/pricing&country=fr"));
    const b = filtersFromObject({ country: "FR", page: "/pricing" });
    expect(a).toEqual(b);
    expect(a).toEqual({ filters: { country: "FR", page: "/pricing" }, key: "country=FR&page=%2Fpricing" });
    expect(Object.keys((a as { filters: object }).filters)).toEqual(["country", "page"]);
    expect(viewTopic("shop.test", (a as { key: string }).key)).toBe("view:shop.test?country=FR&page=%2Fpricing");
  });

  test("values are cleaned as labels are; a country that is not a code keeps its case", () => {
    expect(filtersFromObject({ browser: "  Firefox\u200b ", country: "Unknown" })).toEqual({
      filters: { browser: "Firefox", country: "Unknown" },
      key: "browser=Firefox&country=Unknown",
    });
  });

  test("no filters is the unfiltered view; parameters that are not dimensions are not filters in a URL", () => {
    expect(filtersFromQuery(new URLSearchParams("site=a.test&token=x&tv=1"))).toEqual({ filters: {}, key: "" });
    expect(filtersFromObject(undefined)).toEqual({ filters: {}, key: "" });
    expect(filtersFromObject({})).toEqual({ filters: {}, key: "" });
  });

  test("bad filters are refused with the reason", () => {
    expect(errorOf(filtersFromObject({ campaign: "x" }))).toStartWith('unknown filter "campaign": filters are page, source, country, browser, os, device, event');
    expect(errorOf(filtersFromObject({ page: "" }))).toBe("filter page is empty");
    expect(errorOf(filtersFromObject({ page: " \u200b" }))).toBe("filter page is empty");
    expect(errorOf(filtersFromObject({ page: "/" + "x".repeat(100) }))).toBe("filter page is over 100 characters");
    expect(errorOf(filtersFromObject({ page: 3 }))).toBe("filter page must be a string");
    expect(errorOf(filtersFromObject(["page"]))).toBe("filters must be an object of dimension: value");
    expect(errorOf(filtersFromObject("page=/"))).toBe("filters must be an object of dimension: value");
    expect(errorOf(filtersFromQuery(new URLSearchParams("page=/a&page=/b")))).toBe("filter page is given twice: one value per dimension");
    const many = new URLSearchParams("page=/&source=a&country=FR&browser=b&os=o&device=d&event=e&page=/x");
    expect(errorOf(filtersFromQuery(many))).toBe("at most 7 filters, one per dimension");
  });
});
