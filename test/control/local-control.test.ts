import { describe, expect, test } from "bun:test";
import { LocalControl } from "../../src/control/local-control.ts";
import { DailySalts } from "../../src/core/ingest/visitor-id.ts";
import { advanceTurns, FakeTimers } from "../helpers/fake-timers.ts";
import { recordingNode } from "../helpers/ticking-node.ts";

let timers = new FakeTimers();
const control = (tickMs: number) => {
  timers = new FakeTimers();
  return new LocalControl({ tickMs, salts: new DailySalts(), storePosition: 42, timers });
};
const advance = (ms: number) => advanceTurns(timers, ms);

describe("LocalControl: a single process's own pace", () => {
  test("ticks are numbered from 1, one every interval, and each reports its work and interval", async () => {
    const node = recordingNode();
    const local = control(20);
    local.start(node);
    await advance(150);
    local.stop();
    const count = node.ticks.length;
    // 150 ms of 20 ms ticks: 7, the last perhaps still being written.
    expect(count).toBe(7);
    expect(node.ticks.map((tick) => tick.number)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(node.ticks.every((tick) => tick.intervalMs === 20)).toBe(true);
    // Every tick but perhaps the one still being written has reported.
    expect(node.metrics.ticks).toBeGreaterThanOrEqual(count - 1);
    expect(node.metrics.tickIntervalSeconds).toBe(0.02);
  });

  test("a tick whose work is heavy stretches the next interval", async () => {
    const node = recordingNode(() => 60);
    const local = control(20);
    local.start(node);
    await advance(120);
    local.stop();
    expect(node.ticks[0]!.intervalMs).toBe(20);
    expect(node.ticks[1]!.intervalMs).toBe(80);
    expect(node.metrics.tickIntervalSeconds).toBe(0.08);
  });

  test("stop runs one last step at once, and no tick follows", async () => {
    const node = recordingNode();
    const local = control(20);
    local.start(node);
    await advance(50);
    local.stop();
    const ticks = node.ticks.length;
    expect(node.finalSteps).toHaveLength(1);
    await advance(60);
    expect(node.ticks).toHaveLength(ticks);
    local.stop();
    expect(node.finalSteps).toHaveLength(1);
  });

  test("it rebuilds through the store position it was given, and is the whole server", () => {
    const local = control(20);
    expect(local.restoreThrough).toBe(42);
    expect(local.clusterFigures()).toBeUndefined();
  });
});
