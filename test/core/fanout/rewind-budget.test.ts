import { describe, expect, mock, test } from "bun:test";
import { hitAt } from "../../helpers/view-hits.ts";
import { Dashboards, type DashboardData, type DashboardSocket } from "../../../src/core/fanout/dashboards.ts";
import { RewindBudget } from "../../../src/core/fanout/rewind-budget.ts";
import { Hub } from "../../../src/core/stats/hub.ts";
import type { RewindFrame } from "../../../src/core/wire/protocol.ts";

const NOW = 1_700_000_000_000;
const SITE = "busy.test";

function fakeSocket() {
  const rewinds: RewindFrame[] = [];
  const socket: DashboardSocket = {
    data: { site: SITE, authorized: true } as DashboardData,
    send: mock((text: string) => {
      const frame = JSON.parse(text) as { type: string };
      if (frame.type === "rewind") rewinds.push(frame as RewindFrame);
    }),
    subscribe: mock(() => {}),
    unsubscribe: mock(() => {}),
    close: mock(() => {}),
  };
  return { socket, rewinds };
}

/** A site with 3,000 logged hits over the last 5 minutes. */
function busyHub(): Hub {
  const hub = new Hub();
  for (let i = 0; i < 3000; i++) hub.record(SITE, hitAt(i % 500, NOW - 300_000 + i * 100));
  hub.tick(NOW);
  return hub;
}

describe("rewinds within the process's budget of logged hits read", () => {
  test("past the budget a rewind waits and is answered at a later tick, first come first served, each socket's latest moment once", () => {
    let now = NOW;
    // 1,000 hits a second: a rewind of the whole site reads 3,000.
    const dashboards = new Dashboards(busyHub(), { now: () => now, rewindBudget: new RewindBudget(1000, 1000) });
    const first = fakeSocket();
    const second = fakeSocket();
    const third = fakeSocket();
    for (const { socket } of [first, second, third]) dashboards.open(socket);

    dashboards.message(first.socket, JSON.stringify({ type: "rewind", at: NOW - 60_000 }));
    expect(first.rewinds).toHaveLength(1);
    dashboards.message(second.socket, JSON.stringify({ type: "rewind", at: NOW - 120_000 }));
    dashboards.message(third.socket, JSON.stringify({ type: "rewind", at: NOW - 10_000 }));
    // The budget is spent (3,000 hits read of 1,000): both wait.
    expect([second.rewinds.length, third.rewinds.length]).toEqual([0, 0]);
    // The second asks again while it waits: its latest moment is the one answered.
    now += 1_000;
    dashboards.message(second.socket, JSON.stringify({ type: "rewind", at: NOW - 90_000 }));
    dashboards.answerWaitingRewinds();
    expect(second.rewinds).toHaveLength(0);

    now += 2_500; // the debt is paid: one more rewind may read
    dashboards.answerWaitingRewinds();
    expect(second.rewinds.map((frame) => frame.at)).toEqual([NOW - 90_000]);
    expect(third.rewinds).toHaveLength(0);
    now += 3_500;
    dashboards.answerWaitingRewinds();
    expect(third.rewinds.map((frame) => frame.at)).toEqual([NOW - 10_000]);
    now += 10_000;
    dashboards.answerWaitingRewinds();
    expect([first.rewinds.length, second.rewinds.length, third.rewinds.length]).toEqual([1, 1, 1]);
  });

  test("a rewind that reads no logged hit (a site with none) is answered even while the budget is spent", () => {
    const now = NOW;
    const hub = busyHub();
    const dashboards = new Dashboards(hub, { now: () => now, rewindBudget: new RewindBudget(1000, 1000) });
    const [spender, quiet] = [fakeSocket(), fakeSocket()];
    quiet.socket.data.site = "quiet.test";
    for (const { socket } of [spender, quiet]) dashboards.open(socket);
    dashboards.message(spender.socket, JSON.stringify({ type: "rewind", at: NOW - 60_000 }));
    dashboards.message(quiet.socket, JSON.stringify({ type: "rewind", at: NOW - 60_000 }));
    expect(quiet.rewinds.map((frame) => frame.stats.visitors.last30m)).toEqual([0]);
  });

  test("a socket that closes or switches view while its rewind waits gets no answer", () => {
    let now = NOW;
    const dashboards = new Dashboards(busyHub(), { now: () => now, rewindBudget: new RewindBudget(1000, 1000) });
    const [spender, closing, switching] = [fakeSocket(), fakeSocket(), fakeSocket()];
    for (const { socket } of [spender, closing, switching]) dashboards.open(socket);
    for (const { socket } of [spender, closing, switching]) dashboards.message(socket, JSON.stringify({ type: "rewind", at: NOW - 60_000 }));
    dashboards.close(closing.socket);
    dashboards.message(switching.socket, JSON.stringify({ type: "watch", site: SITE, window: 5 }));
    now += 60_000;
    dashboards.answerWaitingRewinds();
    expect([spender.rewinds.length, closing.rewinds.length, switching.rewinds.length]).toEqual([1, 0, 0]);
  });
});
