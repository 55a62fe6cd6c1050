import { expect, test } from "bun:test";
import { clockRedrawDue, CLOCK_REDRAW_MS } from "../../ui/clock-redraw.ts";

test("the clock draws the page when no frame did lately, not right after a frame's draw", () => {
  expect(clockRedrawDue(0, CLOCK_REDRAW_MS)).toBe(true);
  expect(clockRedrawDue(0, CLOCK_REDRAW_MS / 2)).toBe(true);
  // Frames every 250 ms: the last draw is at most 250 ms old when the clock's turn comes.
  expect(clockRedrawDue(1000, 1250)).toBe(false);
  expect(clockRedrawDue(1000, 1000)).toBe(false);
});
