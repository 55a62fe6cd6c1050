import { describe, expect, test } from "bun:test";
import { Memo } from "../../../src/core/ingest/memo.ts";

describe("Memo", () => {
  test("computes each key once while it is remembered", () => {
    const computed: string[] = [];
    const memo = new Memo(10, (key) => {
      computed.push(key);
      return key.length;
    });
    expect([memo.get("a"), memo.get("bb"), memo.get("a"), memo.get("bb")]).toEqual([1, 2, 1, 2]);
    expect(computed).toEqual(["a", "bb"]);
  });

  test("past its capacity it starts over, never holding more, and answers stay right", () => {
    let calls = 0;
    const memo = new Memo(3, (key) => {
      calls++;
      return `<${key}>`;
    });
    for (const key of ["a", "b", "c"]) memo.get(key);
    expect(memo.size).toBe(3);
    expect(memo.get("d")).toBe("<d>");
    expect(memo.size).toBe(1);
    expect(memo.get("a")).toBe("<a>");
    expect(calls).toBe(5);
    for (let i = 0; i < 100; i++) expect(memo.get(String(i))).toBe(`<${i}>`);
    expect(memo.size).toBeLessThanOrEqual(3);
  });
});
