/** A page's view over a socket the test drives: it keeps following its site whatever the server's sequence does. */
import { beforeEach, expect, test } from "bun:test";
import { followLiveView } from "../../ui/live-view.ts";
import { emptyStats } from "../../ui/view-model.ts";
import { FakeTimers } from "../helpers/fake-timers.ts";
import { FakeSocket } from "./fake-socket.ts";
import { feedItem, snapshot, stats, T0, tick } from "./fixtures.ts";

let changes = 0;
beforeEach(() => {
  FakeSocket.instances = [];
  changes = 0;
});

function open() {
  const live = followLiveView({
    site: "shop.test",
    url: "ws://pulse.test/ws?site=shop.test",
    onChange: () => void changes++,
    WebSocket: FakeSocket,
    timers: new FakeTimers(),
    now: () => T0,
  });
  const socket = FakeSocket.instances.at(-1)!;
  socket.serverOpens();
  // An hour of traffic, then the site went quiet.
  socket.serverSends(JSON.stringify(snapshot({ seq: 14_000, stats: stats({ pages: [["/old", 2]] }), feed: [feedItem("/old")] })));
  return { live, socket };
}

// Quiet for over 30 minutes, the server forgot the site; a visitor came back and the site's
// sequence started again, at seq 1, under a new epoch.
const BACK = T0 + 45 * 60_000;
const visitorsNow = (n: number) => ({ last5m: n, last30m: n, capped: false });

test("after the site's sequence starts over, the page follows the new ticks", () => {
  const { live, socket } = open();
  socket.serverSends(JSON.stringify(tick(1, { epoch: BACK, time: BACK, changed: { ...emptyStats(), visitors: visitorsNow(1), pages: [["/back", 1]] }, feed: [feedItem("/back", BACK)] })));
  expect(live.view.stats.visitors.last5m).toBe(1);
  socket.serverSends(JSON.stringify(tick(2, { epoch: BACK, time: BACK + 250, changed: { visitors: visitorsNow(2) }, feed: [feedItem("/second", BACK + 200)] })));
  expect(live.view.stats.visitors.last5m).toBe(2);
  expect(live.view.feed.map((entry) => entry.item.p)).toEqual(["/second", "/back"]);
  // It took the first tick as its baseline: no snapshot asked for, no reconnect.
  expect(socket.sent).toEqual([]);
  expect(FakeSocket.instances).toHaveLength(1);
});

test("a tick of a sequence the page never joined makes it ask for a snapshot on the same socket, once", () => {
  const { live, socket } = open();
  socket.serverSends(JSON.stringify(tick(5, { epoch: BACK, time: BACK, changed: { visitors: visitorsNow(3) } })));
  socket.serverSends(JSON.stringify(tick(6, { epoch: BACK, time: BACK + 250, changed: { visitors: visitorsNow(4) } })));
  expect(socket.sent).toEqual([JSON.stringify({ type: "watch", site: "shop.test" })]);
  expect(live.view.stats.visitors.last5m).toBe(0);
  socket.serverSends(JSON.stringify(snapshot({ seq: 6, epoch: BACK, time: BACK + 250, stats: stats({ visitors: visitorsNow(4) }) })));
  socket.serverSends(JSON.stringify(tick(7, { epoch: BACK, time: BACK + 500, changed: { visitors: visitorsNow(5) } })));
  expect(live.view.stats.visitors.last5m).toBe(5);
  expect(FakeSocket.instances).toHaveLength(1);
});
