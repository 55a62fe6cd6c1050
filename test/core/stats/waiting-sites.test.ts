import { describe, expect, test } from "bun:test";
import { ACTIVE_MS } from "../../../src/core/stats/active-visitors.ts";
import { MAX_WAITING_VISITORS, WAITING_SITES, WaitingSites } from "../../../src/core/stats/waiting-sites.ts";

const T0 = 1_700_000_000_000;

describe("WaitingSites", () => {
  test("counts each distinct visitor once, up to a bound", () => {
    const waiting = new WaitingSites();
    expect(waiting.note("a.test", 1, T0)).toBe(1);
    expect(waiting.note("a.test", 1, T0)).toBe(1);
    expect(waiting.note("a.test", 2, T0)).toBe(2);
    for (let visitor = 3; visitor <= MAX_WAITING_VISITORS; visitor++) waiting.note("a.test", visitor, T0);
    expect(waiting.note("a.test", MAX_WAITING_VISITORS + 1, T0)).toBe(MAX_WAITING_VISITORS);
  });

  test("when full, a newcomer takes the place of the site with the fewest visitors, not of one with more", () => {
    const waiting = new WaitingSites();
    waiting.note("real.test", 1, T0);
    waiting.note("real.test", 2, T0);
    for (let i = 0; i < 10 * WAITING_SITES; i++) waiting.note(`junk${i}.test`, 1, T0);
    expect(waiting.note("real.test", 3, T0)).toBe(3);
  });

  test("forgets a site not seen for 30 minutes", () => {
    const waiting = new WaitingSites();
    waiting.note("a.test", 1, T0);
    waiting.note("b.test", 1, T0 + 60_000);
    waiting.expire(T0 + ACTIVE_MS);
    expect(waiting.note("a.test", 2, T0 + ACTIVE_MS)).toBe(1);
    expect(waiting.note("b.test", 2, T0 + ACTIVE_MS)).toBe(2);
  });
});
