import { describe, expect, test } from "bun:test";
import { LiveFrames, liveFrame, liveTopic } from "../../../src/core/presence/live-frames.ts";
import { FakePresence } from "../../helpers/fake-presence.ts";

const SITE = "shop.example";
const TAB = "tab0000001";
const INTERVAL = 5000;

function setup(watched: string[]) {
  const presence = new FakePresence();
  const frames = new LiveFrames(presence, { isWatched: (topic) => watched.includes(topic) }, INTERVAL);
  return { presence, frames };
}

describe("live topics and frames", () => {
  test("a page's topic and a site's; a frame is the scope's letter and the count", () => {
    expect(liveTopic(SITE, "/wines")).toBe("live:shop.example|/wines");
    expect(liveTopic(SITE, null)).toBe("live:shop.example");
    expect(liveFrame("/wines", 12)).toBe("p12");
    expect(liveFrame(null, 0)).toBe("s0");
  });
});

describe("LiveFrames", () => {
  test("one frame per changed watched topic, with its count now", () => {
    const { presence, frames } = setup([liveTopic(SITE, "/wines"), liveTopic(SITE, null)]);
    presence.set(SITE, "/wines", 3);
    presence.set(SITE, "/wines", 4);
    presence.set(SITE, null, 9);
    expect(frames.take(0)).toEqual([
      { topic: "live:shop.example|/wines", data: "p4" },
      { topic: "live:shop.example", data: "s9" },
    ]);
  });

  test("topics nobody watches here get nothing", () => {
    const { presence, frames } = setup([liveTopic(SITE, "/wines")]);
    presence.set(SITE, "/about", 2);
    presence.set("other.example", null, 5);
    expect(frames.take(0)).toEqual([]);
  });

  test("at most once per interval: changes wait, and the latest count goes out", () => {
    const { presence, frames } = setup([liveTopic(SITE, "/wines")]);
    presence.set(SITE, "/wines", 1);
    expect(frames.take(1000)).toHaveLength(1);
    presence.set(SITE, "/wines", 2);
    expect(frames.take(1000 + INTERVAL - 1)).toEqual([]);
    presence.set(SITE, "/wines", 3);
    expect(frames.take(1000 + INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p3" }]);
  });

  test("only when the count changed: back to the count last sent is no frame", () => {
    const { presence, frames } = setup([liveTopic(SITE, "/wines")]);
    // The first socket's own tab counts: its "held" reaches presence later.
    expect(frames.current(SITE, "/wines", TAB)).toBe("p1");
    presence.set(SITE, "/wines", 0);
    presence.set(SITE, "/wines", 1);
    expect(frames.take(0)).toEqual([]);
    presence.set(SITE, "/wines", 2);
    expect(frames.take(INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p2" }]);
    presence.set(SITE, "/wines", 2);
    expect(frames.take(2 * INTERVAL)).toEqual([]);
  });

  test("a socket that got a count the others were not sent is set right, even when the count goes back", () => {
    const { presence, frames } = setup([liveTopic(SITE, "/wines")]);
    presence.set(SITE, "/wines", 3);
    expect(frames.take(0)).toEqual([{ topic: "live:shop.example|/wines", data: "p3" }]);
    // A tab came (its own, counted) and a new socket is sent 4; then another tab leaves: back to 3.
    presence.tabs.set(`${SITE} ${TAB}`, "/wines");
    presence.set(SITE, "/wines", 4);
    expect(frames.current(SITE, "/wines", TAB)).toBe("p4");
    presence.set(SITE, "/wines", 3);
    expect(frames.take(INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p3" }]);
    // Once set right, the same count is no news again.
    presence.set(SITE, "/wines", 3);
    expect(frames.take(2 * INTERVAL)).toEqual([]);
    // A count that moved on from what the new socket got goes out once.
    presence.set(SITE, "/wines", 4);
    expect(frames.current(SITE, "/wines", TAB)).toBe("p4");
    presence.set(SITE, "/wines", 5);
    expect(frames.take(3 * INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p5" }]);
  });

  test("a topic watched again starts from the count its new socket got", () => {
    const { presence, frames } = setup([liveTopic(SITE, null)]);
    presence.set(SITE, null, 4);
    frames.take(0);
    frames.unwatched(liveTopic(SITE, null));
    presence.set(SITE, null, 7);
    expect(frames.current(SITE, null, TAB)).toBe("s8");
    presence.set(SITE, null, 8);
    expect(frames.take(INTERVAL)).toEqual([]);
  });
});
