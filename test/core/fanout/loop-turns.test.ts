import { describe, expect, test } from "bun:test";
import { IMMEDIATE_OVERDUE_MS, LoopTurns } from "../../../src/core/fanout/loop-turns.ts";
import { startTickLoop } from "../../../src/control/local-control.ts";
import { systemTimers } from "../../../src/core/timers.ts";
import { recordingNode } from "../../helpers/ticking-node.ts";

describe("LoopTurns", () => {
  test("once an immediate is overdue, a request answered is a turn of the event loop: what waits for one goes on", async () => {
    const turns = new LoopTurns();
    let turned = false;
    void turns.next().then(() => (turned = true));
    // In the same turn: not yet (a fan-out would write every pass at once).
    turns.request(Date.now());
    await Promise.resolve();
    expect(turned).toBe(false);
    turns.request(Date.now() + IMMEDIATE_OVERDUE_MS);
    await Promise.resolve();
    expect(turned).toBe(true);
  });

  test("without requests, the next immediate is the turn", async () => {
    const turns = new LoopTurns();
    await turns.next();
    let turned = false;
    void turns.next().then(() => (turned = true));
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.resolve();
    expect(turned).toBe(true);
  });

  test("each request runs the late checks with its time", () => {
    const turns = new LoopTurns();
    const seen: number[] = [];
    turns.onRequest((time) => seen.push(time));
    turns.request(5);
    turns.request(7);
    expect(seen).toEqual([5, 7]);
  });
});

describe("a tick whose timer is late", () => {
  test("runs from the next request once it is a whole interval late, and not before", () => {
    const turns = new LoopTurns();
    let now = 1_000;
    const ticks: number[] = [];
    const node = recordingNode();
    node.step = async (tick) => (ticks.push(tick.time), 0);
    // Its timer would fire in a minute: only requests can start it in this test.
    const loop = startTickLoop(60_000, { ...node, turns }, { ...systemTimers, now: () => now });
    now += 90_000;
    turns.request(now);
    expect(ticks).toEqual([]);
    now += 30_000;
    turns.request(now);
    expect(ticks).toEqual([now]);
    // Running: the next request starts nothing more.
    turns.request(now + 60_000);
    expect(ticks).toHaveLength(1);
    loop.stop();
  });
});
