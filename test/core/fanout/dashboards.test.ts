import { describe, expect, mock, test } from "bun:test";
import { Dashboards, type DashboardData, type DashboardSocket, type DashboardsOptions } from "../../../src/core/fanout/dashboards.ts";
import { Hub, SITES_TOPIC, siteTopic } from "../../../src/core/stats/hub.ts";
import { CloseCode } from "../../../src/core/wire/protocol.ts";
import { admissionLimits, SocketAdmission } from "../../../src/core/fanout/socket-admission.ts";
import { shardTopic, TopicShards } from "../../../src/core/fanout/topic-shards.ts";

function fakeSocket(data: DashboardData) {
  const calls: string[] = [];
  const socket: DashboardSocket = {
    data,
    send: mock((text: string) => calls.push(`send:${JSON.parse(text).type}:${JSON.parse(text).site ?? ""}`)),
    subscribe: mock((topic: string) => calls.push(`subscribe:${topic}`)),
    unsubscribe: mock((topic: string) => calls.push(`unsubscribe:${topic}`)),
    close: mock((code?: number, reason?: string) => calls.push(`close:${code}:${reason}`)),
  };
  return { socket, calls };
}

const dashboardsFor = (options: DashboardsOptions = {}) => new Dashboards(new Hub(), { now: () => 0, ...options });

describe("Dashboards", () => {
  test("a site socket gets its snapshot, then is subscribed to its site's topic", () => {
    const dashboards = dashboardsFor();
    const { socket, calls } = fakeSocket({ site: "a.test", authorized: true });
    dashboards.open(socket);
    expect(calls).toEqual(["send:snapshot:a.test", `subscribe:${siteTopic("a.test")}`]);
    expect(dashboards.connected).toBe(1);
    dashboards.close(socket);
    expect(dashboards.connected).toBe(0);
  });

  test("a socket without a site gets the site list", () => {
    const { socket, calls } = fakeSocket({ site: null, authorized: true });
    dashboardsFor().open(socket);
    expect(calls).toEqual(["send:sites:", `subscribe:${SITES_TOPIC}`]);
  });

  test("the watch command switches a socket to another site: new snapshot, new topic", () => {
    const dashboards = dashboardsFor();
    const { socket, calls } = fakeSocket({ site: "a.test", authorized: true });
    dashboards.open(socket);
    calls.length = 0;
    dashboards.message(socket, JSON.stringify({ type: "watch", site: "B.test" }));
    expect(calls).toEqual([`unsubscribe:${siteTopic("a.test")}`, "send:snapshot:b.test", `subscribe:${siteTopic("b.test")}`]);
    expect(socket.data.site).toBe("b.test");
  });

  test("without the token only public sites may be watched", () => {
    const dashboards = dashboardsFor({ publicSites: ["public.test"] });
    const { socket, calls } = fakeSocket({ site: "public.test", authorized: false });
    dashboards.message(socket, JSON.stringify({ type: "watch", site: "private.test" }));
    expect(calls).toEqual([`close:${CloseCode.PolicyViolation}:this site needs the access token`]);
  });

  test.each([["hello?"], ['{"type":"subscribe"}'], ['{"type":"watch","site":"not a site"}'], [new Uint8Array([1, 2, 3])]])(
    "anything but a valid command closes the socket with 1008: %p",
    (message) => {
      const { socket, calls } = fakeSocket({ site: "a.test", authorized: true });
      dashboardsFor().message(socket, message);
      expect(calls.length).toBe(1);
      expect(calls[0]).toStartWith(`close:${CloseCode.PolicyViolation}:`);
    },
  );

  test("a socket that sends commands faster than a dashboard does is closed with 1008 after its burst of 5", () => {
    const dashboards = dashboardsFor({ publicSites: ["pub.test"] });
    const { socket, calls } = fakeSocket({ site: "pub.test", authorized: false });
    dashboards.open(socket);
    for (let i = 0; i < 100; i++) dashboards.message(socket, JSON.stringify({ type: "watch", site: "pub.test" }));
    expect(calls.filter((call) => call.startsWith("send:snapshot")).length).toBe(1 + 5);
    // Messages already on their way when it closed are refused the same way.
    const closes = new Set(calls.filter((call) => call.startsWith("close:")));
    expect([...closes]).toEqual([`close:${CloseCode.PolicyViolation}:more than 5 commands at once or 1 a second`]);
  });

  test("commands at one a second never run out, and a quiet socket has its burst again", () => {
    let time = 0;
    const dashboards = dashboardsFor({ now: () => time });
    const { socket, calls } = fakeSocket({ site: "a.test", authorized: true });
    dashboards.open(socket);
    const watch = (site: string) => dashboards.message(socket, JSON.stringify({ type: "watch", site }));
    for (let i = 0; i < 5; i++) watch("b.test");
    for (let i = 0; i < 120; i++) {
      time += 1000;
      watch(i % 2 ? "a.test" : "b.test");
    }
    time += 5000;
    for (let i = 0; i < 5; i++) watch("a.test");
    expect(calls.filter((call) => call.startsWith("close:"))).toEqual([]);
    expect(calls.filter((call) => call.startsWith("send:snapshot")).length).toBe(1 + 5 + 120 + 5);
    // Two numbers on the socket, nothing kept in the server.
    expect(Object.keys(socket.data).sort()).toEqual(["authorized", "commandTokens", "commandsAt", "shard", "site"]);
  });

  test("closing releases the socket's place in the open count and in its address's", () => {
    const admission = new SocketAdmission(admissionLimits(null, 1));
    expect(admission.admit("192.0.2.1", false)).toBeNull();
    const { socket } = fakeSocket({ site: "a.test", authorized: false, address: "192.0.2.1" });
    const dashboards = dashboardsFor({ admission });
    dashboards.open(socket);
    expect(admission.admit("192.0.2.1", false)?.status).toBe(429);
    dashboards.close(socket);
    expect(admission.open).toBe(0);
    expect(admission.admit("192.0.2.1", false)).toBeNull();
  });

  test("past a shard's size, sockets of one site subscribe to further shards, and leaving frees the place", () => {
    const dashboards = dashboardsFor({ shards: new TopicShards(2) });
    const sockets = Array.from({ length: 5 }, () => fakeSocket({ site: "a.test", authorized: true }));
    for (const { socket } of sockets) dashboards.open(socket);
    const topic = siteTopic("a.test");
    expect(sockets.map(({ calls }) => calls.at(-1))).toEqual([
      `subscribe:${topic}`,
      `subscribe:${topic}`,
      `subscribe:${shardTopic(topic, 1)}`,
      `subscribe:${shardTopic(topic, 1)}`,
      `subscribe:${shardTopic(topic, 2)}`,
    ]);
    expect(dashboards.shards.shardsOf(topic)).toEqual([2, 2, 1]);
    dashboards.close(sockets[0]!.socket);
    expect(dashboards.shards.shardsOf(topic)).toEqual([1, 2, 1]);
    // A switch leaves the old topic's shard and joins the new topic.
    dashboards.message(sockets[4]!.socket, JSON.stringify({ type: "watch", site: "b.test" }));
    expect(sockets[4]!.calls).toContain(`unsubscribe:${shardTopic(topic, 2)}`);
    expect(dashboards.shards.shardsOf(topic)).toEqual([1, 2]);
    expect(dashboards.shards.shardsOf(siteTopic("b.test"))).toEqual([1]);
  });
});
