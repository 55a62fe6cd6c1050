import { describe, expect, test } from "bun:test";
import type { ConnectionState } from "../../ui/connection.ts";
import { clockTime } from "../../ui/format.ts";
import { formatInterval, frameInterval, freshness } from "../../ui/freshness.ts";
import { applyFrame, FRAME_TIMES_KEPT, initialState } from "../../ui/view-model.ts";
import { feedItem, sites, snapshot, T0, tick } from "./fixtures.ts";

const live: ConnectionState = { status: "open" };
const reconnecting: ConnectionState = { status: "reconnecting", delay: 4000, retryAt: T0 + 10_000, attempt: 2 };

describe("frame times in the view", () => {
  test("each frame folded in notes its time; a snapshot starts them over; ignored frames note nothing", () => {
    let view = applyFrame(initialState("shop.test"), snapshot({ seq: 10, time: T0 }));
    view = applyFrame(view, tick(11, { time: T0 + 250 }));
    view = applyFrame(view, tick(12, { time: T0 + 500 }));
    expect(view.frameTimes).toEqual([T0, T0 + 250, T0 + 500]);
    expect(applyFrame(view, tick(12, { time: T0 + 750 }))).toBe(view); // a repeat
    expect(applyFrame(view, tick(13, { site: "other.test" }))).toBe(view);
    view = applyFrame(view, snapshot({ seq: 40, time: T0 + 60_000 }));
    expect(view.frameTimes).toEqual([T0 + 60_000]);
  });

  test("only the latest are kept", () => {
    let view = applyFrame(initialState("shop.test"), snapshot({ seq: 0 }));
    for (let seq = 1; seq <= 40; seq++) view = applyFrame(view, tick(seq, { time: T0 + seq * 250 }));
    expect(view.frameTimes).toHaveLength(FRAME_TIMES_KEPT);
    expect(view.frameTimes.at(-1)).toBe(T0 + 40 * 250);
  });

  test("sites frames are noted on the site list", () => {
    const view = applyFrame(applyFrame(initialState(null), sites({ time: T0 })), sites({ time: T0 + 1000 }));
    expect(view.frameTimes).toEqual([T0, T0 + 1000]);
  });
});

describe("frameInterval and formatInterval", () => {
  test("the median gap between frames, so one late frame does not move it", () => {
    expect(frameInterval([])).toBeNull();
    expect(frameInterval([T0])).toBeNull();
    expect(frameInterval([T0, T0 + 250])).toBe(250);
    expect(frameInterval([T0, T0 + 250, T0 + 500, T0 + 3500, T0 + 3750])).toBe(250);
    expect(frameInterval([0, 250, 1250])).toBe(625);
  });

  test("words for an interval", () => {
    expect(formatInterval(250)).toBe("0.25 s");
    expect(formatInterval(500)).toBe("0.5 s");
    expect(formatInterval(1000)).toBe("1 s");
    expect(formatInterval(1750)).toBe("1.75 s");
    expect(formatInterval(42_400)).toBe("42 s");
    expect(formatInterval(150_000)).toBe("3 min");
  });
});

describe("freshness", () => {
  const followed = () => {
    let view = applyFrame(initialState("shop.test"), snapshot({ seq: 10, time: T0, feed: [feedItem("/a", T0 - 1000)] }), T0);
    view = applyFrame(view, tick(11, { time: T0 + 250, feed: [feedItem("/b", T0 + 100)] }), T0 + 250);
    return applyFrame(view, tick(12, { time: T0 + 500 }), T0 + 500);
  };

  test("live: the newest event's age on the server's clock, the interval between frames, nothing stale", () => {
    expect(freshness(followed(), live, T0 + 2600)).toEqual({
      state: "open",
      word: "live",
      detail: "",
      lastEvent: "last event 2s ago",
      updates: "updates every 0.25 s",
      stale: null,
    });
    expect(freshness(followed(), live, T0 + 300).lastEvent).toBe("last event just now");
  });

  test("the age is read on the server's clock: a client clock 5 s behind reads the same", () => {
    let view = applyFrame(initialState("shop.test"), snapshot({ time: T0, feed: [feedItem("/a", T0 - 2000)] }), T0 - 5000);
    expect(freshness(view, live, T0 - 5000).lastEvent).toBe("last event 2s ago");
    view = applyFrame(initialState("shop.test"), snapshot({ time: T0 }), T0);
    expect(freshness(view, live, T0).lastEvent).toBe("no events yet");
    expect(freshness(initialState(null), live, T0).lastEvent).toBeNull();
  });

  test("disconnected: the figures are marked stale with the time of the last frame, on the client's clock", () => {
    const view = applyFrame(followed(), tick(13, { time: T0 + 750 }), T0 + 750 - 3000);
    const state = freshness(view, reconnecting, T0 + 7000);
    expect([state.state, state.word, state.detail]).toEqual(["reconnecting", "reconnecting", "in 3s"]);
    expect(state.stale).toBe(`Disconnected — figures as of ${clockTime(T0 + 750 - 3000, true)}`);
    expect(freshness(view, { status: "closed", code: 1008, reason: "bad" }, T0).stale).toContain("Disconnected");
    // Nothing on screen yet: nothing stale.
    expect(freshness(initialState("shop.test"), { status: "connecting" }, T0).stale).toBeNull();
  });

  test("paused is a state of its own, never stale, and says the moment shown", () => {
    const state = freshness(followed(), reconnecting, T0, T0 - 65_000);
    expect([state.state, state.word, state.detail, state.stale]).toEqual(["paused", "paused", `at ${clockTime(T0 - 65_000, true)}`, null]);
  });

  test("a rewound view's last event is aged from the moment it shows", () => {
    const rewound = { ...followed(), shownAt: T0 + 10_100 };
    expect(freshness(rewound, live, T0 + 60_000, T0 + 10_100).lastEvent).toBe("last event 10s ago");
  });
});
