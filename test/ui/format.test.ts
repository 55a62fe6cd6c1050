import { describe, expect, test } from "bun:test";
import { curlCommand, feedAge, formatNumber, formatPercent, relativeTime, toShares } from "../../ui/format.ts";

describe("toShares", () => {
  test("shares of the given total; bar widths relative to the largest entry", () => {
    const rows = toShares([["/", 6], ["/pricing", 3], ["/blog", 1]], 20);
    expect(rows.map((r) => r.percent)).toEqual(["30%", "15%", "5%"]);
    expect(rows.map((r) => r.width)).toEqual([1, 0.5, 1 / 6]);
    expect(rows[0]).toMatchObject({ label: "/", count: 6, share: 0.3 });
  });

  test("without a total, shares are of the listed entries", () => {
    expect(toShares([["signup", 3], ["buy", 1]]).map((r) => r.share)).toEqual([0.75, 0.25]);
  });

  test("never more than 100% when the list runs ahead of the total", () => {
    expect(toShares([["Chrome", 5], ["Firefox", 5]], 4).map((r) => r.percent)).toEqual(["50%", "50%"]);
  });

  test("an empty list and zero counts are safe", () => {
    expect(toShares([], 10)).toEqual([]);
    expect(toShares([["x", 0]])[0]).toMatchObject({ share: 0, width: 0, percent: "0%" });
  });
});

test("formatPercent", () => {
  expect(formatPercent(0.004)).toBe("<1%");
  expect(formatPercent(0.425)).toBe("43%");
  expect(formatPercent(1)).toBe("100%");
});

test("feedAge: seconds in tens, now under ten; minutes and more as relativeTime", () => {
  const now = 1_000_000_000;
  expect([0, 9_999, 10_000, 19_999, 59_999, 60_000, 2 * 3600_000].map((age) => feedAge(now - age, now))).toEqual(["now", "now", "10s ago", "10s ago", "50s ago", "1m ago", "2h ago"]);
  expect(feedAge(now + 2_000, now)).toBe("now");
});

test("relativeTime", () => {
  const now = 1_000_000_000;
  expect(relativeTime(now - 3_400, now)).toBe("3s ago");
  expect(relativeTime(now - 500, now)).toBe("now");
  expect(relativeTime(now + 2_000, now)).toBe("now");
  expect(relativeTime(now - 59_999, now)).toBe("59s ago");
  expect(relativeTime(now - 60_000, now)).toBe("1m ago");
  expect(relativeTime(now - 2 * 3600_000, now)).toBe("2h ago");
  expect(relativeTime(now - 3 * 86400_000, now)).toBe("3d ago");
});

test("formatNumber", () => {
  expect(formatNumber(0)).toBe("0");
  expect(formatNumber(999)).toBe("999");
  expect(formatNumber(1234)).toBe("1,234");
  expect(formatNumber(12_345)).toBe("12.3k");
  expect(formatNumber(20_000)).toBe("20k");
  expect(formatNumber(1_250_000)).toBe("1.3M");
  expect(formatNumber(2.6)).toBe("3");
});

test("curlCommand sends a pageview for the domain to this server, shell-quoted", () => {
  expect(curlCommand("http://localhost:3000", "example.com")).toBe(
    `curl -X POST http://localhost:3000/api/event -A 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' -H 'Content-Type: application/json' -d '{"name":"pageview","url":"https://example.com/","domain":"example.com"}'`,
  );
  expect(curlCommand("http://h", "a'b")).toContain(`"domain":"a'\\''b"`);
});
