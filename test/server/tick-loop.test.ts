import { describe, expect, test } from "bun:test";
import type { Publication } from "../../src/core/stats/hub.ts";
import { FanOut } from "../../src/core/fanout/fan-out.ts";
import { MAX_TICK_MS, nextTickInterval } from "../../src/core/fanout/tick-pacing.ts";
import { startTickLoop } from "../../src/server/tick-loop.ts";

describe("adaptive pacing", () => {
  test("light ticks keep the configured interval", () => {
    expect(nextTickInterval(2, 250)).toBe(250);
    expect(nextTickInterval(125, 250)).toBe(250);
  });

  test("heavy fan-out stretches the interval so ticks take at most their share of the time, up to 1 s", () => {
    expect(nextTickInterval(150, 250)).toBe(250);
    expect(nextTickInterval(300, 250)).toBe(400);
    expect(nextTickInterval(600, 250)).toBe(800);
    expect(nextTickInterval(5000, 250)).toBe(MAX_TICK_MS);
  });

  test("the loop publishes each tick's frames once and reports work and interval", async () => {
    const published: Publication[] = [];
    const reports: Array<[number, number]> = [];
    let n = 0;
    const loop = startTickLoop({
      tickMs: 20,
      tick: () => [{ topic: "site:a.test", data: String(n++) }],
      fanOut: new FanOut((publication) => published.push(publication)),
      onTick: (work, interval) => reports.push([work, interval]),
    });
    await Bun.sleep(150);
    loop.stop();
    const count = published.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(published.map((p) => p.data)).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    // Every tick but perhaps the one still being written has reported.
    expect(reports.length).toBeGreaterThanOrEqual(count - 1);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every(([, interval]) => interval === 0.02)).toBe(true);
    await Bun.sleep(60);
    expect(published.length).toBe(count);
  });

  test("each pass is written in its own turn of the event loop, so requests are answered between passes", async () => {
    const order: string[] = [];
    let ticked = false;
    const loop = startTickLoop({
      tickMs: 10,
      tick: () => {
        if (ticked) return [];
        ticked = true;
        // Work that arrives while the first pass is being written, like an ingest request.
        setImmediate(() => order.push("request"));
        return [
          { topic: "site:a.test", data: "a" },
          { topic: "site:b.test", data: "b" },
        ];
      },
      fanOut: new FanOut(
        (publication) => order.push(publication.data),
        (publications) => publications.map((publication) => [publication]),
      ),
    });
    await Bun.sleep(80);
    loop.stop();
    expect(order).toEqual(["a", "request", "b"]);
  });

  test("flush at shutdown writes every pass at once", () => {
    const published: string[] = [];
    const loop = startTickLoop({
      tickMs: 1000,
      tick: () => [
        { topic: "site:a.test", data: "a" },
        { topic: "site:b.test", data: "b" },
      ],
      fanOut: new FanOut(
        (publication) => published.push(publication.data),
        (publications) => publications.map((publication) => [publication]),
      ),
    });
    loop.flush();
    loop.stop();
    expect(published).toEqual(["a", "b"]);
  });

  test("a tick's frames wait for the previous tick's last pass: ticks go out in order", async () => {
    const order: string[] = [];
    const fanOut = new FanOut(
      (publication) => order.push(publication.data),
      (publications) => publications.map((publication) => [publication]),
    );
    const before = performance.now();
    const first = fanOut.send([
      { topic: "a", data: "1a" },
      { topic: "b", data: "1b" },
    ]);
    const second = fanOut.send([{ topic: "a", data: "2a" }]);
    // The second send starts its clock a little later than the first, at most this much.
    const startedApart = performance.now() - before;
    const [firstMs, secondMs] = await Promise.all([first, second]);
    expect(order).toEqual(["1a", "1b", "2a"]);
    // It finished after the first, so its time covers the first's, less how much later it started.
    expect(secondMs).toBeGreaterThanOrEqual(firstMs - startedApart);
  });
});
