import { describe, expect, test } from "bun:test";
import {
  filtersFromObject,
  filtersFromQuery,
  isFilterError,
  viewFromCommand,
  viewFromQuery,
  viewTopic,
  WINDOW_ERROR,
  type FiltersResult,
} from "../../../src/core/wire/view-filters.ts";

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

describe("a view's window", () => {
  const query = (text: string) => viewFromQuery(new URLSearchParams(text));

  test("is part of the view's key, after the filters, unless it is 30", () => {
    expect(query("site=shop.test&window=5&country=fr")).toEqual({ filters: { country: "FR" }, window: 5, key: "country=FR&window=5" });
    expect(query("site=shop.test&window=1")).toEqual({ filters: {}, window: 1, key: "window=1" });
    expect(query("site=shop.test&window=30&country=FR")).toEqual({ filters: { country: "FR" }, key: "country=FR" });
    expect(query("site=shop.test")).toEqual({ filters: {}, key: "" });
    expect(viewTopic("shop.test", (query("window=5&country=FR") as { key: string }).key)).toBe("view:shop.test?country=FR&window=5");
    // The same view from a watch command.
    expect(viewFromCommand({ country: "FR" }, 5)).toEqual(query("country=FR&window=5"));
    expect(viewFromCommand(undefined, 30)).toEqual({ filters: {}, key: "" });
    expect(viewFromCommand(undefined, undefined)).toEqual({ filters: {}, key: "" });
  });

  test.each(["0", "2", "60", "5.0", " 5", "", "five", "1e0"])("window=%p in a socket URL is refused with the reason", (value) => {
    expect(query(`window=${encodeURIComponent(value)}`)).toEqual({ error: WINDOW_ERROR });
  });

  test("two windows are refused", () => {
    expect(errorOf(query("window=5&window=1") as FiltersResult)).toContain(WINDOW_ERROR);
  });

  test.each([[2], ["5"], [5.5], [{}], [Number.NaN]])("window %p in a watch command is refused with the reason", (value) => {
    expect(viewFromCommand({}, value)).toEqual({ error: WINDOW_ERROR });
  });

  test("a bad filter is reported before the window", () => {
    expect(errorOf(viewFromCommand({ colour: "red" }, 2) as FiltersResult)).toStartWith('unknown filter "colour"');
  });

  test("the message says what is allowed", () => {
    expect(WINDOW_ERROR).toBe("window must be 1, 5 or 30 (minutes)");
  });
});
