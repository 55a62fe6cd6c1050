import { expect, mock, test } from "bun:test";
import { mapModel, selectOnKey, shadeOf, SHADES } from "../../ui/map-model.ts";

const DRAWN = new Set(["FR", "DE", "US", "BR"]);
const onMap = (code: string) => DRAWN.has(code);

test("each country gets a shade by its share of the largest count, a label and a place in the list", () => {
  const model = mapModel([["FR", 40], ["US", 20], ["DE", 8], ["Unknown", 5], ["BR", 1]], onMap);
  expect(model.countries.map((c) => [c.code, c.shade])).toEqual([["FR", 5], ["US", 3], ["DE", 1], ["Unknown", 0], ["BR", 1]]);
  expect(model.shaded.get("FR")?.label).toBe("France: 40 visitors");
  expect(model.shaded.get("BR")?.label).toBe("Brazil: 1 visitor");
  expect([...model.shaded.keys()]).toEqual(["FR", "US", "DE", "BR"]);
  expect(model.summary).toBe("Visitors by country: 4 countries, most in France (40)");
});

test("Unknown is listed but is neither a country nor on the map; codes the map does not draw are listed, not shaded", () => {
  const model = mapModel([["SG", 9], ["FR", 3], ["Unknown", 12]], onMap);
  expect(model.countries.map((c) => [c.name, c.count, c.onMap])).toEqual([["Singapore", 9, false], ["France", 3, true], ["Unknown", 12, false]]);
  expect(model.countries.find((c) => c.code === "SG")?.shade).toBe(5); // the largest count, though not drawn
  expect(model.countries.find((c) => c.code === "Unknown")?.shade).toBe(0);
  expect([...model.shaded.keys()]).toEqual(["FR"]);
  expect(model.summary).toBe("Visitors by country: 2 countries, most in Singapore (9)");
});

test("the legend gives each shade its range in numbers, lightest first, and leaves out steps no whole count falls in", () => {
  expect(mapModel([["FR", 40]], onMap).legend.map((s) => [s.shade, s.label])).toEqual([
    [1, "1–8"],
    [2, "9–16"],
    [3, "17–24"],
    [4, "25–32"],
    [5, "33–40"],
  ]);
  expect(mapModel([["FR", 3], ["DE", 1]], onMap).legend.map((s) => [s.shade, s.label])).toEqual([[2, "1"], [4, "2"], [5, "3"]]);
  expect(mapModel([["FR", 12_345]], onMap).legend.at(-1)?.label).toBe("9,877–12.3k");
});

test("every count falls in the legend step of its own shade", () => {
  for (let max = 1; max <= 120; max++) {
    const legend = mapModel([["FR", max]], onMap).legend;
    for (let count = 1; count <= max; count++) {
      const step = legend.find((s) => s.from <= count && count <= s.to);
      expect(step?.shade).toBe(shadeOf(count, max));
    }
  }
});

test("shades run from 1 to SHADES; nothing has none", () => {
  expect(shadeOf(1, 1_000)).toBe(1);
  expect(shadeOf(1_000, 1_000)).toBe(SHADES);
  expect(shadeOf(0, 10)).toBe(0);
});

test("without visitors: no shades, no legend, a summary that says so", () => {
  for (const list of [[], [["Unknown", 4]]] as Array<Array<[string, number]>>) {
    const model = mapModel(list, onMap);
    expect(model.shaded.size).toBe(0);
    expect(model.legend).toEqual([]);
    expect(model.summary).toBe("Visitors by country: none yet");
  }
});

test("Enter and Space choose the country and keep the key from scrolling; other keys do nothing", () => {
  const onSelect = mock((_code: string) => {});
  const press = (key: string) => {
    const event = { key, preventDefault: mock(() => {}) };
    selectOnKey(event, "FR", onSelect);
    return event.preventDefault.mock.calls.length;
  };
  expect(press("Enter")).toBe(1);
  expect(press(" ")).toBe(1);
  expect(press("Tab")).toBe(0);
  expect(press("a")).toBe(0);
  expect(onSelect.mock.calls).toEqual([["FR"], ["FR"]]);
});
