/**
 * Pause and rewind against a small fake server on a fake socket: it answers each rewind after a
 * delay and keeps the server's real command allowance, so a page that floods it would be caught.
 */
import { beforeEach, expect, test } from "bun:test";
import { takeCommand, type CommandAllowance } from "../../src/core/fanout/command-allowance.ts";
import { followLiveView } from "../../ui/live-view.ts";
import { rewindControl } from "../../ui/rewind-control.ts";
import { shownView } from "../../ui/rewind-model.ts";
import type { RewindFrame } from "../../ui/rewind-wire.ts";
import { FakeTimers } from "../helpers/fake-timers.ts";
import { FakeSocket } from "./fake-socket.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

const ANSWER_MS = 30;
const visitors = (n: number) => ({ last5m: n, last30m: n, capped: false });

let timers: FakeTimers;
beforeEach(() => {
  FakeSocket.instances = [];
  timers = new FakeTimers();
  timers.time = T0;
});

/** The page's parts as main.ts joins them, and a server that answers rewinds with "visitors = seconds back". */
function page() {
  const server = { refused: 0, asked: [] as number[], inFlight: 0, maxInFlight: 0 };
  const allowance: CommandAllowance = {};
  const live = followLiveView({
    site: "shop.test",
    url: "ws://pulse.test/ws?site=shop.test&window=5",
    view: { window: 5 },
    onChange: () => {},
    onRewind: (frame) => control.answer(frame),
    WebSocket: FakeSocket,
    timers,
    now: () => timers.now(),
  });
  const control = rewindControl({ send: (text) => live.connection.send(text), onChange: () => {}, timers });
  const socket = FakeSocket.instances.at(-1)!;
  const send = socket.send.bind(socket);
  socket.send = (text: string) => {
    send(text);
    const command = JSON.parse(text) as { type: string; at: number };
    if (!takeCommand(allowance, timers.now())) server.refused++;
    if (command.type !== "rewind") return;
    server.asked.push(command.at);
    server.maxInFlight = Math.max(server.maxInFlight, ++server.inFlight);
    timers.setTimeout(() => {
      server.inFlight--;
      const back = Math.round((T0 - command.at) / 1000);
      const frame: RewindFrame = { type: "rewind", site: "shop.test", window: 5, at: command.at, from: T0 - 3_600_000, stats: stats({ visitors: visitors(back) }), feed: [feedItem("/then", command.at)] };
      socket.serverSends(JSON.stringify(frame));
    }, ANSWER_MS);
  };
  socket.serverOpens();
  socket.serverSends(JSON.stringify({ ...snapshot({ seq: 10, time: T0, stats: stats({ visitors: visitors(100) }) }), window: 5 }));
  return { live, control, server, socket };
}

test("dragging the scrubber through 60 positions in 3 s: one request in flight, none refused, the last position shown", () => {
  const { live, control, server } = page();
  control.pause(live.view);
  for (let back = 1; back <= 60; back++) {
    timers.advance(50);
    control.scrub(T0 - back * 1000);
  }
  timers.advance(20_000);
  expect(server.refused).toBe(0);
  expect(server.maxInFlight).toBe(1);
  expect(server.asked.length).toBeLessThan(15);
  expect(server.asked.at(-1)).toBe(T0 - 60_000);
  expect(shownView(control.state, live.view).stats.visitors.last5m).toBe(60);
});

test("live ticks keep the live view going underneath; Go live shows it at once", () => {
  const { live, control, socket } = page();
  control.pause(live.view);
  control.scrub(T0 - 30_000);
  timers.advance(1000);
  socket.serverSends(JSON.stringify({ ...tick(11, { changed: { visitors: visitors(101) } }), window: 5 }));
  expect(shownView(control.state, live.view).stats.visitors.last5m).toBe(30);
  expect(live.view.stats.visitors.last5m).toBe(101);
  control.goLive();
  expect(shownView(control.state, live.view).stats.visitors.last5m).toBe(101);
});

test("an answer that comes after Go live changes nothing", () => {
  const { live, control } = page();
  control.pause(live.view);
  control.scrub(T0 - 10_000);
  control.goLive();
  timers.advance(1000);
  expect(control.state.paused).toBeNull();
  expect(shownView(control.state, live.view)).toBe(live.view);
});
