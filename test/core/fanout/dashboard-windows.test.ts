import { describe, expect, mock, test } from "bun:test";
import { hitAt } from "../../helpers/view-hits.ts";
import { Dashboards, type DashboardData, type DashboardSocket } from "../../../src/core/fanout/dashboards.ts";
import { shardTopic } from "../../../src/core/fanout/topic-shards.ts";
import { Hub, siteTopic } from "../../../src/core/stats/hub.ts";
import { CloseCode, type RewindFrame, type SnapshotFrame } from "../../../src/core/wire/protocol.ts";
import { WINDOW_ERROR } from "../../../src/core/wire/view-filters.ts";

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const SITE = "a.test";


function fakeSocket(data: DashboardData) {
  const sent: string[] = [];
  const calls: string[] = [];
  const socket: DashboardSocket = {
    data,
    send: mock((text: string) => {
      sent.push(text);
      calls.push(`send:${JSON.parse(text).type}`);
    }),
    subscribe: mock((topic: string) => calls.push(`subscribe:${topic}`)),
    unsubscribe: mock((topic: string) => calls.push(`unsubscribe:${topic}`)),
    close: mock((code?: number, reason?: string) => calls.push(`close:${code}:${reason}`)),
  };
  return { socket, sent, calls };
}

/** Three visitors 12 minutes ago on /old, one 30 seconds ago on /now. */
function hubWithHistory(): Hub {
  const hub = new Hub();
  for (let v = 1; v <= 3; v++) hub.record(SITE, hitAt(v, NOW - 12 * MINUTE + v, { page: "/old" }));
  hub.record(SITE, hitAt(9, NOW - 30_000, { page: "/now" }));
  hub.tick(NOW);
  return hub;
}

describe("a dashboard's window", () => {
  test("the watch command's window opens the view over it: its snapshot, its topic", () => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, sent, calls } = fakeSocket({ site: SITE, authorized: true });
    dashboards.open(socket);
    dashboards.message(socket, JSON.stringify({ type: "watch", site: SITE, window: 1 }));
    const snapshot = JSON.parse(sent.at(-1)!) as SnapshotFrame;
    expect(snapshot).toMatchObject({ type: "snapshot", site: SITE, window: 1 });
    expect(snapshot.stats.visitors).toEqual({ last5m: 1, last30m: 1, capped: false });
    expect(snapshot.stats.pages).toEqual([["/now", 1]]);
    expect(calls.at(-1)).toBe(`subscribe:${shardTopic("view:a.test?window=1", 0)}`);
    // Back to 30 minutes: the site's own topic.
    dashboards.message(socket, JSON.stringify({ type: "watch", site: SITE, window: 30 }));
    expect(calls.slice(-3)).toEqual([`unsubscribe:${shardTopic("view:a.test?window=1", 0)}`, "send:snapshot", `subscribe:${siteTopic(SITE)}`]);
    expect((JSON.parse(sent.at(-1)!) as SnapshotFrame).stats.visitors.last30m).toBe(4);
  });

  test.each([2, "5", 0, -1, 1.5])("a watch command with window %p is refused like a bad filter: 1008 and the reason", (window) => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, calls } = fakeSocket({ site: SITE, authorized: true });
    dashboards.message(socket, JSON.stringify({ type: "watch", site: SITE, window }));
    expect(calls).toEqual([`close:${CloseCode.PolicyViolation}:${WINDOW_ERROR}`]);
  });
});

describe("the rewind command", () => {
  test("answers that socket alone with its view as it was; nothing is published or subscribed", () => {
    const hub = hubWithHistory();
    const dashboards = new Dashboards(hub, { now: () => NOW });
    const asking = fakeSocket({ site: SITE, authorized: true });
    const other = fakeSocket({ site: SITE, authorized: true });
    dashboards.open(asking.socket);
    dashboards.open(other.socket);
    asking.calls.length = 0;
    other.calls.length = 0;
    dashboards.message(asking.socket, JSON.stringify({ type: "rewind", at: NOW - 10 * MINUTE }));
    expect(asking.calls).toEqual(["send:rewind"]);
    expect(other.calls).toEqual([]);
    const frame = JSON.parse(asking.sent.at(-1)!) as RewindFrame;
    expect(frame).toMatchObject({ type: "rewind", site: SITE, at: NOW - 10 * MINUTE });
    expect(frame.stats.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
    expect(frame.stats.pages).toEqual([["/old", 3]]);
    for (const item of frame.feed) expect(item.t).toBeLessThanOrEqual(NOW - 10 * MINUTE);
    // The live figures are left alone.
    expect(hub.stats(SITE, NOW).visitors).toEqual({ last5m: 1, last30m: 4, capped: false });
  });

  test("rewinds the view the socket watches: its filters and window", () => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, sent } = fakeSocket({ site: SITE, authorized: true });
    dashboards.message(socket, JSON.stringify({ type: "watch", site: SITE, filters: { page: "/old" }, window: 5 }));
    dashboards.message(socket, JSON.stringify({ type: "rewind", at: NOW - 10 * MINUTE }));
    const frame = JSON.parse(sent.at(-1)!) as RewindFrame;
    expect(frame).toMatchObject({ type: "rewind", filters: { page: "/old" }, window: 5 });
    expect(frame.stats.visitors).toEqual({ last5m: 3, last30m: 3, capped: false });
    dashboards.message(socket, JSON.stringify({ type: "rewind", at: NOW - 5 * MINUTE }));
    expect((JSON.parse(sent.at(-1)!) as RewindFrame).stats.visitors).toEqual({ last5m: 0, last30m: 0, capped: false });
  });

  test.each([
    ['{"type":"rewind"}'],
    ['{"type":"rewind","at":"1700000000000"}'],
    ['{"type":"rewind","at":null}'],
    ['{"type":"rewind","at":1e999}'],
    ['{"type":"Rewind","at":1700000000000}'],
    ["null"],
  ])("a bad rewind command closes the socket with 1008, as any bad command: %p", (message) => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, calls } = fakeSocket({ site: SITE, authorized: true });
    dashboards.message(socket, message);
    expect(calls).toEqual([`close:${CloseCode.PolicyViolation}:unknown command`]);
  });

  test("on the site list's socket a rewind is a bad command", () => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, calls } = fakeSocket({ site: null, authorized: true });
    dashboards.message(socket, JSON.stringify({ type: "rewind", at: NOW }));
    expect(calls).toEqual([`close:${CloseCode.PolicyViolation}:rewind needs a site: watch one first`]);
  });

  test("rewinds share the command allowance: past the burst the socket is closed", () => {
    const dashboards = new Dashboards(hubWithHistory(), { now: () => NOW });
    const { socket, calls } = fakeSocket({ site: SITE, authorized: true });
    for (let i = 0; i < 8; i++) dashboards.message(socket, JSON.stringify({ type: "rewind", at: NOW - i * MINUTE }));
    expect(calls.filter((call) => call === "send:rewind")).toHaveLength(5);
    expect(calls.at(-1)).toStartWith(`close:${CloseCode.PolicyViolation}:more than 5 commands`);
  });
});
