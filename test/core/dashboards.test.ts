import { describe, expect, mock, test } from "bun:test";
import { Dashboards, type DashboardData, type DashboardSocket } from "../../src/core/dashboards.ts";
import { Hub, SITES_TOPIC, siteTopic } from "../../src/core/hub.ts";
import { CloseCode } from "../../src/core/protocol.ts";

function fakeSocket(data: DashboardData) {
  const calls: string[] = [];
  const socket: DashboardSocket = {
    data,
    send: mock((text: string) => calls.push(`send:${JSON.parse(text).type}`)),
    subscribe: mock((topic: string) => calls.push(`subscribe:${topic}`)),
    close: mock((code?: number) => calls.push(`close:${code}`)),
  };
  return { socket, calls };
}

describe("Dashboards", () => {
  test("a site socket gets its snapshot, then is subscribed to its site's topic", () => {
    const dashboards = new Dashboards(new Hub(), () => 0);
    const { socket, calls } = fakeSocket({ site: "a.test" });
    dashboards.open(socket);
    expect(calls).toEqual(["send:snapshot", `subscribe:${siteTopic("a.test")}`]);
    expect(dashboards.connected).toBe(1);
    dashboards.close();
    expect(dashboards.connected).toBe(0);
  });

  test("a socket without a site gets the site list", () => {
    const dashboards = new Dashboards(new Hub(), () => 0);
    const { socket, calls } = fakeSocket({ site: null });
    dashboards.open(socket);
    expect(calls).toEqual(["send:sites", `subscribe:${SITES_TOPIC}`]);
  });

  test("any message from a dashboard closes it with 1008", () => {
    const dashboards = new Dashboards(new Hub(), () => 0);
    const { socket, calls } = fakeSocket({ site: "a.test" });
    dashboards.message(socket);
    expect(calls).toEqual([`close:${CloseCode.PolicyViolation}`]);
  });
});
