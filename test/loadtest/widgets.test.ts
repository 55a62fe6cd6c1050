import { describe, expect, test } from "bun:test";
import { parseLoadtestConfig } from "../../src/loadtest/options.ts";
import { checkWidgetCounts, churnDue, pageCount, tallyWidgets, widgetPage, widgetRequest, widgetShares, widgetTab } from "../../src/loadtest/widgets.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("load-test widgets", () => {
  test("widgets and churn are shared out over the workers, each starting where the one before ended", () => {
    const shares = widgetShares(1000, 3, 30);
    expect(shares.map(({ widgets, firstWidget }) => [widgets, firstWidget])).toEqual([[334, 0], [333, 334], [333, 667]]);
    expect(shares.map(({ churn }) => churn.toFixed(2))).toEqual(["10.02", "9.99", "9.99"]);
    expect(widgetShares(0, 0, 0)).toEqual([]);
  });

  test("pages are spread round robin over every worker's widgets: no page holds two more than another", () => {
    const counts = new Map<string, number>();
    for (const { firstWidget, widgets } of widgetShares(1000, 3, 0)) {
      for (let i = 0; i < widgets; i++) counts.set(widgetPage(firstWidget + i, 7), (counts.get(widgetPage(firstWidget + i, 7)) ?? 0) + 1);
    }
    expect(counts.size).toBe(7);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBe(1);
    expect([...counts.values()].reduce((a, b) => a + b)).toBe(1000);
  });

  test("tab ids are unique over workers and counters, and are what /live accepts", () => {
    const tabs = new Set<string>();
    for (const worker of [0, 1, 35, 36, 255]) for (const n of [0, 1, 35, 36, 1_000_000]) tabs.add(widgetTab(worker, n));
    expect(tabs.size).toBe(25);
    for (const tab of tabs) expect(tab).toMatch(/^[A-Za-z0-9]{8,16}$/);
  });

  test("a widget connects from its site's own origin, to its page", () => {
    const { url, headers } = widgetRequest({ origin: "http://127.0.0.3:3000", ws: "ws://127.0.0.3:3000" }, "shop.example", "/w/4", "w0010000001");
    expect(url).toBe("ws://127.0.0.3:3000/live?site=shop.example&page=%2Fw%2F4&scope=page&tab=w0010000001");
    expect(headers).toEqual({ Origin: "http://shop.example" });
  });

  test("a page frame's count is read from its bytes; other frames are not counts", () => {
    expect(pageCount(bytes("p12"))).toBe(12);
    expect(pageCount(bytes("p0"))).toBe(0);
    expect(pageCount(bytes("s37"))).toBeNull();
    expect(pageCount(bytes("p"))).toBeNull();
    expect(pageCount(bytes("p1x"))).toBeNull();
    expect(pageCount(bytes('{"type":"tick"}'))).toBeNull();
  });

  test("a page's expected count is every widget open on it over all workers; each socket's last count is checked against it", () => {
    const first = tallyWidgets([
      { page: "/w/0", lastCount: 3 },
      { page: "/w/0", lastCount: 3 },
      { page: "/w/1", lastCount: 1 },
    ]);
    const second = tallyWidgets([
      { page: "/w/0", lastCount: 2 },
      { page: "/w/1", lastCount: -1 },
    ]);
    expect(first).toEqual({ "/w/0": { open: 2, lastCounts: { 3: 2 } }, "/w/1": { open: 1, lastCounts: { 1: 1 } } });
    const result = checkWidgetCounts([first, second]);
    // /w/0 has 3 open (2 + 1): the two that saw 3 are right, the one that saw 2 is not; /w/1 has 2 open: neither saw 2.
    expect(result.open).toBe(5);
    expect(result.correct).toBe(2);
    expect(result.wrong).toEqual([
      { page: "/w/0", expected: 3, seen: { 3: 2, 2: 1 } },
      { page: "/w/1", expected: 2, seen: { 1: 1, "-1": 1 } },
    ]);
    expect(checkWidgetCounts([tallyWidgets([{ page: "/a", lastCount: 1 }])])).toEqual({ correct: 1, open: 1, wrong: [] });
  });

  test("churn per slice carries its fraction, so a low rate still closes the right number a second", () => {
    let carried = 0;
    let total = 0;
    for (let slice = 0; slice < 10; slice++) {
      const due = churnDue(3, 100, carried);
      carried = due.carried;
      total += due.now;
    }
    expect(total).toBe(3);
  });

  test("options: widgets need their own site, and Pulse or the floor", () => {
    const config = parseLoadtestConfig(["--widgets", "100", "--pages", "20", "--widget-churn", "5"], {});
    expect(config).toMatchObject({ widgets: 100, pages: 20, widgetChurn: 5, widgetSite: "widgets.bench.test", liveInterval: 5 });
    expect(() => parseLoadtestConfig(["--widgets", "1", "--widget-site", "bench.test"], {})).toThrow("--widget-site must differ from --site");
    expect(() => parseLoadtestConfig(["--widgets", "1", "--protocol", "naive"], {})).toThrow("--widgets needs --protocol pulse");
    expect(parseLoadtestConfig(["--widgets", "1", "--protocol", "floor"], {}).protocol).toBe("floor");
  });
});
