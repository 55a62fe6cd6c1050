import { describe, expect, test } from "bun:test";
import { RecencyList } from "../../../src/core/presence/tab-recency.ts";

function values<T>(list: RecencyList<T>): T[] {
  const out: T[] = [];
  for (let node = list.oldest; node; node = node.next) out.push(node.value);
  return out;
}

describe("RecencyList", () => {
  test("keeps nodes oldest first; moving and removing relink both ends", () => {
    const list = new RecencyList<string>();
    const a = list.push("a");
    const b = list.push("b");
    const c = list.push("c");
    list.moveToNewest(a);
    expect(values(list)).toEqual(["b", "c", "a"]);
    list.moveToNewest(a);
    expect(values(list)).toEqual(["b", "c", "a"]);
    list.remove(b);
    expect(values(list)).toEqual(["c", "a"]);
    expect(list.oldest?.value).toBe("c");
    list.remove(a);
    list.remove(c);
    expect(list.size).toBe(0);
    expect(list.oldest).toBeNull();
    list.push("d");
    expect(values(list)).toEqual(["d"]);
  });
});
