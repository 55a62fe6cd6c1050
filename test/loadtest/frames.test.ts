import { describe, expect, test } from "bun:test";
import { dashboardRequest, markerPaths, tickSeq } from "../../src/loadtest/dashboard-socket.ts";
import { destinations } from "../../src/loadtest/targets.ts";

describe("the load generator's view of frames and targets", () => {
  test("tickSeq reads a tick's seq without parsing, and ignores other frames", () => {
    expect(tickSeq('{"type":"tick","site":"a.test","seq":1234,"time":5,"changed":{},"feed":[],"more":0}')).toBe(1234);
    expect(tickSeq('{"type":"snapshot","site":"a.test","seq":9}')).toBeNull();
  });

  test("markerPaths understands each protocol's frames", () => {
    expect(markerPaths("pulse", JSON.stringify({ type: "tick", feed: [{ p: "/marker/1" }, { p: "/x" }] }))).toEqual(["/marker/1", "/x"]);
    expect(markerPaths("naive", JSON.stringify({ type: "event", p: "/marker/2" }))).toEqual(["/marker/2"]);
    expect(markerPaths("socketio", `42${JSON.stringify(["pageview", { p: "/marker/3" }])}`)).toEqual(["/marker/3"]);
    expect(markerPaths("pulse", "not json")).toEqual([]);
  });

  test("a loopback target is spread over 127.0.0.1-8, each with the Origin it makes the server's own", () => {
    const spread = destinations("http://localhost:3000");
    expect(spread.length).toBe(8);
    expect(spread[2]).toEqual({ origin: "http://127.0.0.3:3000", ws: "ws://127.0.0.3:3000" });
    expect(destinations("https://stats.example")).toEqual([{ origin: "https://stats.example", ws: "wss://stats.example" }]);
  });

  test("each protocol's dashboard URL", () => {
    const [destination] = destinations("http://127.0.0.1:3000");
    expect(dashboardRequest({ protocol: "pulse", destination: destination!, site: "a.test", token: "t" })).toEqual({
      url: "ws://127.0.0.1:3000/ws?site=a.test",
      headers: { Origin: "http://127.0.0.1:3000", Authorization: "Bearer t" },
    });
    expect(dashboardRequest({ protocol: "socketio", destination: destination!, site: "a.test", token: null }).url).toBe(
      "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&site=a.test",
    );
  });
});
