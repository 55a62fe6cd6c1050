import { describe, expect, test } from "bun:test";
import { clockTime } from "../../ui/format.ts";
import {
  answered,
  goLive,
  LIVE,
  momentOf,
  nextStep,
  pause,
  reopened,
  REWIND_BURST,
  REWIND_SPAN_MS,
  REWINDS_PER_SECOND,
  scrubberModel,
  scrubTo,
  sent,
  shownMoment,
  shownView,
  type RewindState,
} from "../../ui/rewind-model.ts";
import type { RewindFrame } from "../../ui/rewind-wire.ts";
import { siteModel } from "../../ui/site-model.ts";
import { applyFrame, initialState } from "../../ui/view-model.ts";
import { COMMAND_BURST, COMMANDS_PER_SECOND } from "../../src/core/fanout/command-allowance.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

const visitors = (n: number) => ({ last5m: n, last30m: n, capped: false });
const liveView = () => applyFrame(initialState("shop.test"), snapshot({ time: T0, stats: stats({ visitors: visitors(9) }), feed: [feedItem("/live", T0 - 1000)] }), T0);
const rewindFrame = (at: number, overrides: Partial<RewindFrame> = {}): RewindFrame => ({
  type: "rewind",
  site: "shop.test",
  at,
  from: T0 - 3_600_000,
  stats: stats({ visitors: visitors(4), pages: [["/then", 4]] }),
  feed: [feedItem("/older", at - 5000), feedItem("/then", at - 2000)],
  ...overrides,
});
/** `state` asked for the frame's moment, and the frame answered it. */
const answer = (state: RewindState, frame: RewindFrame) => answered(sent(state, frame.at, 0), frame);
/** Paused at T0 - 0.6 s: the moment is rounded up to the second, T0, so it holds what was shown. */
const paused = (): RewindState => pause(LIVE, liveView(), T0 - 600);

describe("what is shown", () => {
  test("live: the live view itself", () => {
    const live = liveView();
    expect(shownView(LIVE, live)).toBe(live);
    expect(shownMoment(LIVE)).toBeNull();
  });

  test("paused: the view as it was when paused, its charts stopped at that moment, whatever comes live after", () => {
    const state = paused();
    const later = applyFrame(liveView(), tick(11, { changed: { visitors: visitors(12) } }), T0 + 11_000);
    const shown = shownView(state, later);
    expect(shown.stats.visitors.last5m).toBe(9);
    expect(shown.shownAt).toBe(T0);
    expect(shownMoment(state)).toBe(T0);
  });

  test("an answer is shown through the same view state as live figures: counts, feed newest first, the moment's charts", () => {
    const at = T0 - 120_000;
    const state = answered(sent(scrubTo(paused(), at), at, 0), rewindFrame(at, { window: 5 }));
    const shown = shownView(state, liveView());
    expect(shown.stats.visitors.last5m).toBe(4);
    expect(shown.feed.map((entry) => entry.item.p)).toEqual(["/then", "/older"]);
    expect(shown.window).toBe(5);
    const model = siteModel(shown, T0 + 999_999);
    expect(model.currentVisitors).toBe(4);
    expect(model.feed[0]?.ago).toBe("now"); // 2 s before the moment shown, not 18 minutes before now
    expect(model.perSecond.bars.at(-1)?.t).toBe(at);
    expect(model.labels.visitors).toBe("Visitors, last 5 min");
    expect(shownMoment(state)).toBe(at);
  });

  test("Go live shows the live view at once, with what came while paused", () => {
    const later = applyFrame(liveView(), tick(11, { changed: { visitors: visitors(12) } }), T0 + 11_000);
    const state = goLive(answer(paused(), rewindFrame(T0 - 60_000)));
    expect(shownView(state, later)).toBe(later);
    expect(state.paused).toBeNull();
  });
});

describe("the scrubber", () => {
  test("over the 30 minutes before the pause, a second a step, kept within them", () => {
    let state = paused();
    expect(scrubberModel(state)!).toMatchObject({ min: -1800, max: 0, value: 0, time: clockTime(T0, true), before: "the moment paused" });
    state = scrubTo(state, T0 - 125_400);
    expect(state.paused!.at).toBe(T0 - 125_000);
    expect(scrubberModel(state)!).toMatchObject({ value: -125, time: clockTime(T0 - 125_000, true), before: "2 min 5 s earlier" });
    expect(momentOf(state.paused!, -125)).toBe(T0 - 125_000);
    expect(scrubTo(state, T0 - 3_600_000).paused!.at).toBe(T0 - REWIND_SPAN_MS);
    expect(scrubTo(state, T0 + 60_000).paused!.at).toBe(T0);
    expect(scrubTo(LIVE, T0)).toBe(LIVE);
  });

  test("says it is loading until the chosen moment is answered", () => {
    let state = scrubTo(paused(), T0 - 10_000);
    expect(scrubberModel(state)!.loading).toBe(true);
    state = sent(state, T0 - 10_000, 0);
    expect(scrubberModel(state)!.loading).toBe(true);
    state = answered(state, rewindFrame(T0 - 10_000));
    expect(scrubberModel(state)!.loading).toBe(false);
  });

  test("a window reaching before the history the server holds is said to be partial", () => {
    const at = T0 - 20 * 60_000;
    const whole = answer(paused(), rewindFrame(at, { from: at - 30 * 60_000 }));
    expect(scrubberModel(whole)!.partial).toBeNull();
    const cut = answer(paused(), rewindFrame(at, { from: at - 10 * 60_000 }));
    expect(scrubberModel(cut)!.partial).toBe(`History before ${clockTime(at - 10 * 60_000, true)} is no longer held: these figures count only what came after it.`);
    // A 5-minute window needs only its 5 minutes.
    expect(scrubberModel(answer(paused(), rewindFrame(at, { window: 5, from: at - 10 * 60_000 })))!.partial).toBeNull();
  });
});

describe("the requests", () => {
  test("pausing asks for the paused moment; nothing while live", () => {
    expect(nextStep(LIVE, 0)).toBeNull();
    expect(nextStep(paused(), 0)).toEqual({ send: T0 });
  });

  test("one in flight: positions chosen meanwhile wait, and only the latest is asked for when the answer comes", () => {
    let state = sent(paused(), T0, 0);
    for (let back = 1; back <= 20; back++) {
      state = scrubTo(state, T0 - back * 1000);
      expect(nextStep(state, 100)).toBeNull();
    }
    state = answered(state, rewindFrame(T0));
    expect(nextStep(state, 100)).toEqual({ send: T0 - 20_000 });
    state = answered(sent(state, T0 - 20_000, 100), rewindFrame(T0 - 20_000));
    // Answered and nothing new chosen: nothing more to send.
    expect(nextStep(state, 200)).toBeNull();
  });

  test("never more than the page's bucket: a burst, then one per 1.25 s, within the server's allowance", () => {
    expect(REWIND_BURST).toBeLessThan(COMMAND_BURST);
    expect(REWINDS_PER_SECOND).toBeLessThan(COMMANDS_PER_SECOND);
    let state = paused();
    let time = 0;
    const sentAt: number[] = [];
    // Answers come at once: only the bucket holds the page back.
    for (let back = 0; back < 40; back++) {
      state = scrubTo(state, T0 - back * 1000);
      let step = nextStep(state, time);
      if (step !== null && "waitMs" in step) {
        time += step.waitMs;
        step = nextStep(state, time);
      }
      expect(step).toEqual({ send: T0 - back * 1000 });
      state = answered(sent(state, T0 - back * 1000, time), rewindFrame(T0 - back * 1000));
      sentAt.push(time);
    }
    expect(sentAt.slice(0, REWIND_BURST)).toEqual(Array(REWIND_BURST).fill(0));
    expect(sentAt[REWIND_BURST]).toBe(1250);
    // The server's own bucket, fed the same times: never empty.
    let tokens = COMMAND_BURST;
    let last = 0;
    for (const at of sentAt) {
      tokens = Math.min(COMMAND_BURST, tokens + ((at - last) / 1000) * COMMANDS_PER_SECOND) - 1;
      last = at;
      expect(tokens).toBeGreaterThanOrEqual(1); // one left over for a snapshot request
    }
  });

  test("an answer asked for by an earlier pause is not shown in a later one, and still frees the way", () => {
    const first = sent(scrubTo(paused(), T0 - 9000), T0 - 9000, 0);
    let state = pause(goLive(first), liveView(), T0 + 4400);
    expect(nextStep(state, 100)).toBeNull(); // the first pause's rewind is still in flight
    state = answered(state, rewindFrame(T0 - 9000));
    expect(state.paused!.answer).toBeNull();
    expect(shownView(state, liveView()).shownAt).toBe(T0 + 5000);
    expect(nextStep(state, 100)).toEqual({ send: T0 + 5000 });
  });

  test("a reopened socket asks again: an answer in flight on the old one will not come", () => {
    let state = sent(scrubTo(paused(), T0 - 5000), T0 - 5000, 0);
    expect(nextStep(state, 10_000)).toBeNull();
    state = reopened(state);
    expect(nextStep(state, 10_000)).toEqual({ send: T0 - 5000 });
  });

  test("another view keeps the moment: its own figures for it are asked for, the old view's are no longer shown", () => {
    let state = answered(sent(scrubTo(paused(), T0 - 5000), T0 - 5000, 0), rewindFrame(T0 - 5000));
    const other = initialState("shop.test", { filters: { country: "FR" }, window: 5 });
    state = reopened(state, other);
    expect(state.paused!.at).toBe(T0 - 5000);
    expect(shownView(state, other).stats.visitors.last5m).toBe(0);
    expect(shownView(state, other).loaded).toBe(false);
    expect(nextStep(state, 10_000)).toEqual({ send: T0 - 5000 });
  });
});
