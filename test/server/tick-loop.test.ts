import { describe, expect, test } from "bun:test";
import type { Publication } from "../../src/core/hub.ts";
import { MAX_TICK_MS, nextTickInterval, startTickLoop } from "../../src/server/tick-loop.ts";

describe("adaptive pacing", () => {
  test("light ticks keep the configured interval", () => {
    expect(nextTickInterval(2, 250)).toBe(250);
    expect(nextTickInterval(125, 250)).toBe(250);
  });

  test("heavy fan-out stretches the interval so ticks take at most half the time, up to 1 s", () => {
    expect(nextTickInterval(200, 250)).toBe(400);
    expect(nextTickInterval(450, 250)).toBe(900);
    expect(nextTickInterval(5000, 250)).toBe(MAX_TICK_MS);
  });

  test("the loop publishes each tick's frames once and reports work and interval", async () => {
    const published: Publication[] = [];
    const reports: Array<[number, number]> = [];
    let n = 0;
    const loop = startTickLoop({
      tickMs: 20,
      tick: () => [{ topic: "site:a.test", data: String(n++) }],
      publish: (publication) => published.push(publication),
      onTick: (work, interval) => reports.push([work, interval]),
    });
    await Bun.sleep(150);
    loop.stop();
    const count = published.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(published.map((p) => p.data)).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    expect(reports.every(([, interval]) => interval === 0.02)).toBe(true);
    await Bun.sleep(60);
    expect(published.length).toBe(count);
  });
});
