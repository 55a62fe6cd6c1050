import { describe, expect, test } from "bun:test";
import { ProcessActivity } from "../../src/cluster/process-activity.ts";

/** A /proc/<pid>/stat line with this state and CPU ticks (user, system); the name has a space and a parenthesis. */
function stat(state: string, utime: number, stime: number): string {
  return `4242 (pulse (x) y) ${state} 1 4242 4242 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 274845 3133440 380`;
}

describe("ProcessActivity", () => {
  test("a running process that used CPU since the last look is at work; one that used none is not", () => {
    const lines = [stat("R", 100, 20), stat("R", 150, 25), stat("S", 150, 25)];
    let now = 0;
    const activity = new ProcessActivity(() => lines.shift()!, () => (now += 1000));
    expect(activity.working(4242)).toBe(true);
    expect(activity.working(4242)).toBe(true);
    expect(activity.working(4242)).toBe(false);
  });

  test("a stopped process is not at work, whatever its CPU", () => {
    const lines = [stat("T", 100, 20), stat("t", 500, 20)];
    let now = 0;
    const activity = new ProcessActivity(() => lines.shift()!, () => (now += 1000));
    expect(activity.working(4242)).toBe(false);
    expect(activity.working(4242)).toBe(false);
  });

  test("a process that cannot be read is not at work", () => {
    const activity = new ProcessActivity(() => {
      throw new Error("ENOENT");
    });
    expect(activity.working(4242)).toBe(false);
  });

  test("looks within the window give the last answer without reading /proc again", () => {
    let reads = 0;
    let now = 0;
    const activity = new ProcessActivity(() => (reads++, stat("R", 100 + reads, 0)), () => now, 500);
    expect(activity.working(4242)).toBe(true);
    now = 100;
    expect(activity.working(4242)).toBe(true);
    expect(reads).toBe(1);
    now = 600;
    expect(activity.working(4242)).toBe(true);
    expect(reads).toBe(2);
  });

  test("this process, read from /proc, is at work while it spins", () => {
    const activity = new ProcessActivity(undefined, Date.now, 0);
    activity.working(process.pid);
    const until = performance.now() + 50;
    while (performance.now() < until);
    expect(activity.working(process.pid)).toBe(true);
  });
});
