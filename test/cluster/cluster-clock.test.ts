import { afterEach, describe, expect, test } from "bun:test";
import type { Tick } from "../../src/bus/event-bus.ts";
import { ClusterClock } from "../../src/cluster/cluster-clock.ts";

const TICK_MS = 20;
let clock: ClusterClock | undefined;
afterEach(() => clock?.stop());

function started(members: number[]) {
  const ticks: Tick[] = [];
  clock = new ClusterClock(TICK_MS, (tick) => ticks.push(tick));
  for (const member of members) clock.join(member);
  clock.start();
  return { clock, ticks };
}

describe("ClusterClock", () => {
  test("without workers it simply ticks every interval", async () => {
    const { ticks } = started([]);
    await Bun.sleep(TICK_MS * 5);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((tick) => tick.intervalMs === TICK_MS)).toBe(true);
  });

  test("the next tick waits until every worker has written the last one", async () => {
    const { clock, ticks } = started([0, 1]);
    await Bun.sleep(TICK_MS * 1.5);
    expect(ticks).toHaveLength(1);
    clock.done(0, 1);
    await Bun.sleep(TICK_MS * 3);
    // Worker 1 is still writing: no tick piles up behind it.
    expect(ticks).toHaveLength(1);
    clock.done(1, 1);
    expect(ticks).toHaveLength(2);
  });

  test("a worker that leaves is not waited for", async () => {
    const { clock, ticks } = started([0, 1]);
    await Bun.sleep(TICK_MS * 1.5);
    clock.done(0, 1);
    clock.leave(1);
    await Bun.sleep(TICK_MS * 1.5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });

  test("the slowest worker's fan-out stretches the interval, as in one process", async () => {
    const { clock, ticks } = started([0, 1]);
    await Bun.sleep(TICK_MS * 1.5);
    clock.done(0, 5);
    clock.done(1, 60);
    await Bun.sleep(TICK_MS);
    expect(ticks).toHaveLength(2);
    expect(ticks.at(-1)!.intervalMs).toBe(80);
  });

  test("reports for a tick already finished, or from strangers, change nothing", async () => {
    const { clock, ticks } = started([0]);
    await Bun.sleep(TICK_MS * 1.5);
    clock.done(7, 1);
    clock.done(0, 1);
    clock.done(0, 500);
    await Bun.sleep(TICK_MS * 2);
    // One more tick (the first was finished), and worker 0 has not finished that one.
    expect(ticks).toHaveLength(2);
    expect(ticks.at(-1)!.intervalMs).toBe(TICK_MS);
  });
});
