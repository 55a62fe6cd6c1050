import { describe, expect, test } from "bun:test";
import { FanOut } from "../../../src/core/fanout/fan-out.ts";
import { MAX_TICK_MS, nextTickInterval } from "../../../src/core/fanout/tick-pacing.ts";

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
});

describe("FanOut", () => {
  const onePassEach = (publications: Array<{ topic: string; data: string }>) => publications.map((publication) => [publication]);

  test("each pass is written in its own turn of the event loop, so requests are answered between passes", async () => {
    const order: string[] = [];
    const fanOut = new FanOut((publication) => order.push(publication.data), onePassEach);
    // Work that arrives while the first pass is being written, like an ingest request.
    setImmediate(() => order.push("request"));
    await fanOut.send([
      { topic: "site:a.test", data: "a" },
      { topic: "site:b.test", data: "b" },
    ]);
    expect(order).toEqual(["a", "request", "b"]);
  });

  test("at shutdown every pass is written at once", () => {
    const published: string[] = [];
    new FanOut((publication) => published.push(publication.data), onePassEach).sendNow([
      { topic: "site:a.test", data: "a" },
      { topic: "site:b.test", data: "b" },
    ]);
    expect(published).toEqual(["a", "b"]);
  });

  test("a tick's frames wait for the previous tick's last pass: ticks go out in order", async () => {
    const order: string[] = [];
    const fanOut = new FanOut((publication) => order.push(publication.data), onePassEach);
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
