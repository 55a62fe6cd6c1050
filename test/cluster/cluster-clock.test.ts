import { afterEach, describe, expect, test } from "bun:test";
import type { Tick } from "../../src/control/control-plane.ts";
import { ClusterClock, type ClusterClockOptions } from "../../src/cluster/cluster-clock.ts";
import { advanceTurns, FakeTimers } from "../helpers/fake-timers.ts";

const TICK_MS = 20;
let clock: ClusterClock | undefined;
let timers: FakeTimers;
afterEach(() => clock?.stop());

const advance = (ms: number) => advanceTurns(timers, ms);

function started(members: number[], options: ClusterClockOptions = {}, onTick: (tick: Tick) => void = () => {}) {
  const ticks: Tick[] = [];
  timers = new FakeTimers();
  clock = new ClusterClock(
    TICK_MS,
    (tick) => {
      ticks.push(tick);
      onTick(tick);
    },
    { timers, ...options },
  );
  for (const member of members) clock.join(member);
  clock.start();
  return { clock, ticks };
}

describe("ClusterClock", () => {
  test("without workers it simply ticks every interval", async () => {
    const { ticks } = started([]);
    await advance(TICK_MS * 15);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((tick) => tick.intervalMs === TICK_MS)).toBe(true);
  });

  test("the next tick waits until every worker has written the last one", async () => {
    const { clock, ticks } = started([0, 1]);
    await advance(TICK_MS * 1.5);
    expect(ticks).toHaveLength(1);
    clock.done(0, 1, 1);
    await advance(TICK_MS * 3);
    // Worker 1 is still writing: no tick piles up behind it.
    expect(ticks).toHaveLength(1);
    clock.done(1, 1, 1);
    expect(ticks).toHaveLength(2);
  });

  test("a worker that leaves is not waited for", async () => {
    const { clock, ticks } = started([0, 1]);
    await advance(TICK_MS * 1.5);
    clock.done(0, 1, 1);
    clock.leave(1);
    await advance(TICK_MS * 1.5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });

  test("the slowest worker's fan-out stretches the interval, as in one process", async () => {
    const { clock, ticks } = started([0, 1]);
    await advance(TICK_MS * 1.5);
    clock.done(0, 1, 5);
    clock.done(1, 1, 60);
    await advance(TICK_MS);
    expect(ticks).toHaveLength(2);
    expect(ticks.at(-1)!.intervalMs).toBe(80);
  });

  test("reports for a tick already finished, or from strangers, change nothing", async () => {
    const { clock, ticks } = started([0]);
    await advance(TICK_MS * 1.5);
    clock.done(7, 1, 1);
    clock.done(0, 1, 1);
    clock.done(0, 1, 500);
    await advance(TICK_MS * 2);
    // One more tick (the first was finished), and worker 0 has not finished that one.
    expect(ticks).toHaveLength(2);
    expect(ticks.at(-1)!.intervalMs).toBe(TICK_MS);
  });

  /** Worker 0 finishes every tick at once; the others do whatever the test says. */
  const prompt = (tick: Tick) => queueMicrotask(() => clock?.done(0, tick.number, 1));

  test("a worker that misses the deadline does not hold the ticks: the others keep their pace", async () => {
    const { ticks } = started([0, 1], { deadlineMs: 50 }, prompt);
    await advance(400);
    // One tick waits for worker 1 until the deadline; after that it is not waited for: some 15 ticks, not one.
    expect(ticks.length).toBeGreaterThanOrEqual(10);
    expect(ticks.map((tick) => tick.number)).toEqual(ticks.map((_, i) => i + 1));
  });

  test("a worker that catches up is waited for again", async () => {
    const { clock, ticks } = started([0, 1], { deadlineMs: 200 }, prompt);
    await advance(TICK_MS + 250);
    const behind = ticks.length;
    expect(behind).toBeGreaterThanOrEqual(3);
    // Worker 1 finishes everything it was sent: from the next tick on, that tick waits for it.
    clock.done(1, ticks.at(-1)!.number, 1);
    await advance(TICK_MS * 5);
    expect(ticks.length - behind).toBeLessThanOrEqual(1);
  });

  test("a worker that finishes no tick for hungMs is reported hung, once, and counted no more", async () => {
    const hung: number[] = [];
    const { ticks } = started([0, 1], { deadlineMs: 30, hungMs: 150, onHung: (worker) => hung.push(worker) }, prompt);
    await advance(100);
    expect(hung).toEqual([]);
    await advance(300);
    expect(hung).toEqual([1]);
    // Worker 0 alone sets the pace now: no deadline waits.
    const before = ticks.length;
    await advance(TICK_MS * 5);
    expect(ticks.length - before).toBeGreaterThanOrEqual(3);
  });

  test("a worker slower than the interval that still finishes every tick is not hung", async () => {
    const hung: number[] = [];
    started([0, 1], { deadlineMs: 30, hungMs: 150, onHung: (worker) => hung.push(worker) }, (tick) => {
      prompt(tick);
      timers.setTimeout(() => clock?.done(1, tick.number, 2 * TICK_MS), 2 * TICK_MS);
    });
    await advance(500);
    expect(hung).toEqual([]);
  });

  test("a worker behind on its ticks that still says something is catching up, not hung", async () => {
    const hung: number[] = [];
    const { clock } = started([0, 1], { deadlineMs: 30, hungMs: 150, onHung: (worker) => hung.push(worker) }, prompt);
    let talking = true;
    const talk = (): unknown => talking && timers.setTimeout(() => (clock.heard(1), talk()), 50);
    talk();
    await advance(500);
    talking = false;
    expect(hung).toEqual([]);
    await advance(300);
    expect(hung).toEqual([1]);
  });

  test("a silent worker still at work is flooded, not hung, until silentWorkMs", async () => {
    const hung: number[] = [];
    const asked: number[] = [];
    started(
      [0, 1],
      { deadlineMs: 30, hungMs: 150, silentWorkMs: 600, stillWorking: (worker) => (asked.push(worker), true), onHung: (worker) => hung.push(worker) },
      prompt,
    );
    await advance(400);
    expect(asked).toContain(1);
    expect(hung).toEqual([]);
    await advance(500);
    expect(hung).toEqual([1]);
  });

  test("a silent worker not at work (stopped) is hung at hungMs", async () => {
    const hung: number[] = [];
    started([0, 1], { deadlineMs: 30, hungMs: 150, silentWorkMs: 10_000, stillWorking: () => false, onHung: (worker) => hung.push(worker) }, prompt);
    await advance(400);
    expect(hung).toEqual([1]);
  });
});
