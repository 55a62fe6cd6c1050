import { beforeEach, describe, expect, test } from "bun:test";
import { connect, parseFrame, type ConnectionOptions, type ConnectionState, type IncomingFrame } from "../../ui/connection.ts";
import { FakeTimers } from "../helpers/fake-timers.ts";
import { describeConnection } from "../../ui/status.ts";
import { FakeSocket } from "./fake-socket.ts";
import { sites, snapshot } from "./fixtures.ts";

let timers: FakeTimers;
let frames: IncomingFrame[];
let states: ConnectionState[];

beforeEach(() => {
  FakeSocket.instances = [];
  timers = new FakeTimers();
  frames = [];
  states = [];
});

function start(overrides: Partial<ConnectionOptions> = {}) {
  return connect({
    url: "ws://pulse.test/ws?site=shop.test",
    onFrame: (frame) => frames.push(frame),
    onState: (state) => states.push(state),
    WebSocket: FakeSocket,
    timers,
    random: () => 0, // no jitter: delays are exactly 500, 1000, 2000, ...
    ...overrides,
  });
}

const latest = () => {
  const socket = FakeSocket.instances.at(-1);
  if (!socket) throw new Error("no socket was opened");
  return socket;
};

describe("connect", () => {
  test("opens the URL and reports connecting, then open", () => {
    const connection = start();
    expect(FakeSocket.instances.map((s) => s.url)).toEqual(["ws://pulse.test/ws?site=shop.test"]);
    expect(connection.state).toEqual({ status: "connecting" });
    latest().serverOpens();
    expect(connection.state).toEqual({ status: "open" });
    expect(states.map((s) => s.status)).toEqual(["connecting", "open"]);
  });

  test("delivers each message parsed, in order; ignores what is not a frame", () => {
    start();
    latest().serverOpens();
    const first = snapshot({ seq: 3 });
    latest().serverSends(JSON.stringify(first));
    latest().serverSends("not json");
    latest().serverSends(JSON.stringify({ type: "mystery" }));
    latest().serverSends(new ArrayBuffer(4));
    latest().serverSends(JSON.stringify(sites()));
    expect(frames).toEqual([first, sites()]);
  });

  test("reconnects after a close, the delay doubling up to the maximum", () => {
    start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      latest().serverCloses(1006);
      const state = states.at(-1);
      if (state?.status !== "reconnecting") throw new Error(`expected reconnecting, got ${state?.status}`);
      delays.push(state.delay);
      expect(state.retryAt).toBe(timers.time + state.delay);
      const sockets = FakeSocket.instances.length;
      timers.advance(state.delay - 1);
      expect(FakeSocket.instances.length).toBe(sockets); // not before the delay
      timers.advance(1);
      expect(FakeSocket.instances.length).toBe(sockets + 1);
      expect(states.at(-1)?.status).toBe("connecting");
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test("jitter takes up to half off the delay", () => {
    start({ random: () => 1 });
    latest().serverCloses(1006);
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", delay: 250 });
  });

  test("a short-lived open does not reset the backoff; a lasting one does", () => {
    start();
    latest().serverCloses(1006); // 500
    timers.advance(500);
    latest().serverOpens();
    timers.advance(1000); // dropped before stableAfter (5 s)
    latest().serverCloses(1001);
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", delay: 1000 });
    timers.advance(1000);
    latest().serverOpens();
    timers.advance(5000);
    latest().serverCloses(1001);
    expect(states.at(-1)).toMatchObject({ status: "reconnecting", delay: 500 });
  });

  test("does not reconnect after close code 1008", () => {
    start();
    latest().serverOpens();
    latest().serverCloses(1008, "unknown command");
    expect(states.at(-1)).toEqual({ status: "closed", code: 1008, reason: "unknown command" });
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(timers.count).toBe(0);
  });

  test("does not reconnect after close code 1009 either", () => {
    start();
    latest().serverOpens();
    latest().serverCloses(1009, "");
    expect(states.at(-1)).toMatchObject({ status: "closed", code: 1009 });
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  test("after three attempts in a row that never opened, asks why and stops with the reason it is given", async () => {
    let asked = 0;
    start({ diagnose: async () => (++asked, "the access token is no longer accepted") });
    latest().serverOpens();
    latest().serverCloses(1006); // a socket that was open: a lost connection, not a refusal
    for (let attempt = 0; attempt < 2; attempt++) {
      timers.advance(10_000);
      latest().serverCloses(1006);
    }
    expect(asked).toBe(0);
    timers.advance(10_000);
    latest().serverCloses(1006);
    expect(asked).toBe(1);
    await Promise.resolve();
    expect(states.at(-1)).toEqual({ status: "closed", code: 0, reason: "the access token is no longer accepted" });
    const sockets = FakeSocket.instances.length;
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(sockets);
  });

  test("keeps retrying when the diagnosis finds nothing", async () => {
    start({ diagnose: async () => null, diagnoseAfter: 1 });
    latest().serverCloses(1006);
    await Promise.resolve();
    expect(states.at(-1)?.status).toBe("reconnecting");
    timers.advance(10_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  test("close() closes the socket and stops retrying", () => {
    const connection = start();
    latest().serverOpens();
    connection.close();
    expect(latest().closedWith?.code).toBe(1000);
    expect(connection.state.status).toBe("closed");
    latest().serverCloses(1000); // the browser's close event arrives afterwards
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(states.filter((s) => s.status === "reconnecting")).toHaveLength(0);
  });

  test("retryNow skips the wait", () => {
    const connection = start();
    latest().serverCloses(1006);
    latest().serverCloses(1006); // a stale socket's late event changes nothing
    expect(states.filter((s) => s.status === "reconnecting")).toHaveLength(1);
    connection.retryNow();
    expect(FakeSocket.instances).toHaveLength(2);
    timers.advance(60_000);
    expect(FakeSocket.instances).toHaveLength(2); // the cancelled timer did not fire too
  });

  test("send writes to the open socket only", () => {
    const connection = start();
    expect(connection.send("early")).toBe(false);
    latest().serverOpens();
    expect(connection.send("hello")).toBe(true);
    latest().serverCloses(1006);
    expect(connection.send("late")).toBe(false);
    expect(FakeSocket.instances[0]!.sent).toEqual(["hello"]);
  });

  test("messages from a replaced socket are ignored", () => {
    start();
    const old = latest();
    old.serverCloses(1006);
    timers.advance(500);
    old.serverSends(JSON.stringify(sites()));
    expect(frames).toEqual([]);
  });
});

test("parseFrame", () => {
  expect(parseFrame(JSON.stringify(sites()))).toEqual(sites());
  const rewind = { type: "rewind", site: "shop.test", at: 1, from: 0, stats: {}, feed: [] };
  expect(parseFrame(JSON.stringify(rewind))).toEqual(rewind as never);
  expect(parseFrame(JSON.stringify({ type: "other" }))).toBeNull();
  expect(parseFrame("[1]")).toBeNull();
  expect(parseFrame("null")).toBeNull();
  expect(parseFrame("{")).toBeNull();
  expect(parseFrame(42)).toBeNull();
});

describe("a server that says why it closed", () => {
  test("the reason of a close to retry later (1013: the view is refused for now) is kept and shown with the countdown", () => {
    start();
    latest().serverOpens();
    latest().serverCloses(1013, "shop.test already has 32 views open (filter sets and windows): try again later, or watch the whole site");
    const state = states.at(-1);
    expect(state).toMatchObject({ status: "reconnecting", delay: 500, reason: "shop.test already has 32 views open (filter sets and windows): try again later, or watch the whole site" });
    expect(describeConnection(state!, timers.time)).toEqual({ word: "reconnecting", detail: "in 1s: shop.test already has 32 views open (filter sets and windows): try again later, or watch the whole site" });
    // A lost connection says nothing more than the countdown.
    timers.advance(500);
    latest().serverCloses(1006);
    expect(describeConnection(states.at(-1)!, timers.time)).toEqual({ word: "reconnecting", detail: "in 1s" });
  });
});
