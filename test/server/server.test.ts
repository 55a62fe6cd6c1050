import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/real-server.ts";
import { eachTransport } from "../helpers/transports.ts";
import type { ServerFrame, SitesFrame, SnapshotFrame, TickFrame } from "../../src/core/wire/protocol.ts";
import { curlCommand } from "../../ui/format.ts";
import { openDashboard, upgradeStatus, type TestDashboard } from "../helpers/dashboard-client.ts";
import { UA } from "../helpers/user-agents.ts";
import { startServer } from "../helpers/server-process.ts";
import { connect } from "node:net";
import { freePort } from "../helpers/free-port.ts";

const TICK_MS = 100;
let server: TestServer["server"];
let base: string;
let wsBase: string;

const TOKEN = "test-token-0123456789";


const isTick = (frame: ServerFrame): frame is TickFrame => frame.type === "tick";
const withPath = (path: string) => (frame: ServerFrame): frame is TickFrame => isTick(frame) && frame.feed.some((item) => item.p === path);

function sendPageview(site: string, path: string, ua = UA.chromeWindows) {
  return fetch(`${base}/api/event`, {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": ua },
    body: JSON.stringify({ n: "pageview", u: `https://${site}${path}`, d: site, r: "https://news.ycombinator.com/" }),
  });
}

/** Sends each request on one connection once the answer to the one before has come: the answers (a later one empty if the server closed). */
async function exchangeOnOneConnection(port: number, requests: string[]): Promise<string[]> {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  let closed = false;
  socket.on("data", (chunk) => (received += chunk.toString("latin1")));
  socket.on("close", () => (closed = true));
  socket.on("error", () => (closed = true));
  await new Promise((resolve) => socket.once("connect", resolve));
  const answers: string[] = [];
  for (const request of requests) {
    received = "";
    if (!closed) socket.write(request);
    const deadline = Date.now() + 2000;
    while (!closed && !/\r\n\r\n/.test(received) && Date.now() < deadline) await Bun.sleep(10);
    answers.push(received);
  }
  socket.destroy();
  return answers;
}

const dashboard = (site: string) => openDashboard(`${wsBase}/ws?site=${site}`, base, TOKEN);

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    ({ server, base, wsBase } = await startTestServer(TOKEN, TICK_MS, runtime));
  });
  afterAll(() => server.stop());

  describe("a real server on port 0", () => {
    test("the snapshot arrives first, then a posted pageview within two ticks", async () => {
      const client = await dashboard("live.test");
      const snapshot = (await client.waitFor((frame) => frame.type === "snapshot")) as SnapshotFrame;
      expect(client.frames[0]).toBe(snapshot);
      expect(snapshot.site).toBe("live.test");

      expect((await sendPageview("live.test", "/hello")).status).toBe(202);
      const frame = await client.waitFor(withPath("/hello"));
      const item = frame.feed.find((entry) => entry.p === "/hello")!;
      expect(item).toMatchObject({ n: "pageview", s: "Hacker News", d: "Desktop", b: "Chrome", o: "Windows" });
      // Stamped by the server: the tick that published it ran within two ticks of the ingest.
      expect(frame.time - item.t).toBeLessThanOrEqual(2 * TICK_MS);
      expect(frame.changed.visitors?.last5m).toBe(1);
      client.socket.close();
    });

    test("ticks name their sequence; watching the same site again gets a fresh snapshot in it", async () => {
      const client = await dashboard("epoch.test");
      expect(await client.waitFor((frame) => frame.type === "snapshot")).toMatchObject({ seq: 0, epoch: 0 });
      await sendPageview("epoch.test", "/first");
      const first = await client.waitFor(withPath("/first"));
      // The site's first tick starts its sequence, named after that tick, with every section.
      expect(first).toMatchObject({ seq: 1, epoch: first.time });
      client.socket.send(JSON.stringify({ type: "watch", site: "epoch.test" }));
      const again = (await client.waitFor((frame) => frame.type === "snapshot" && frame.seq > 0)) as SnapshotFrame;
      expect(again.epoch).toBe(first.epoch);
      expect(again.stats.visitors.last5m).toBe(1);
      expect(Object.keys(first.changed).sort()).toEqual(Object.keys(again.stats).sort());
      client.socket.close();
    });

    test("a socket flooding watch commands is closed with 1008 after a few snapshots", async () => {
      const client = await dashboard("flood.test");
      await client.waitFor((frame) => frame.type === "snapshot");
      for (let i = 0; i < 50; i++) client.socket.send(JSON.stringify({ type: "watch", site: "flood.test" }));
      expect(await client.closed).toEqual({ code: 1008, reason: "more than 5 commands at once or 1 a second" });
      expect(client.frames.filter((frame) => frame.type === "snapshot").length).toBe(1 + 5);
    });

    test("a dashboard opened after traffic comes up with it in its snapshot", async () => {
      await sendPageview("refresh.test", "/before-refresh");
      const first = await dashboard("refresh.test");
      await first.waitFor(withPath("/before-refresh"));
      first.socket.close();
      const refreshed = await dashboard("refresh.test");
      const snapshot = (await refreshed.waitFor((frame) => frame.type === "snapshot")) as SnapshotFrame;
      expect(snapshot.stats.visitors.last5m).toBe(1);
      // Its pageview also keeps the visitor present on the page (docs/protocol.md, "Presence").
      expect(snapshot.stats.pages).toEqual([["/before-refresh", 1, 1]]);
      expect(snapshot.feed.map((item) => item.p)).toEqual(["/before-refresh"]);
      refreshed.socket.close();
    });

    test("the curl command the empty dashboard suggests is counted, not dropped as a bot", async () => {
      const client = await dashboard("curl.test");
      // Asynchronously: the server runs in this process.
      const curl = Bun.spawn(["sh", "-c", `${curlCommand(base, "curl.test")} --silent --fail`]);
      expect(await curl.exited).toBe(0);
      const frame = await client.waitFor(withPath("/"));
      expect(frame.changed.visitors?.last5m).toBe(1);
      client.socket.close();
    });

    test("an upgrade from another origin, or without one, gets 403", async () => {
      expect(await upgradeStatus(`${base}/ws?site=a.test`, { origin: "http://evil.test", token: TOKEN })).toBe(403);
      expect(await upgradeStatus(`${base}/ws?site=a.test`, { token: TOKEN })).toBe(403);
      expect(await upgradeStatus(`${base}/ws?site=a.test`, { origin: base, token: TOKEN })).toBe(101);
    });

    test("an upgrade without the token, or with a wrong one, gets 401", async () => {
      expect(await upgradeStatus(`${base}/ws?site=a.test`, { origin: base })).toBe(401);
      expect(await upgradeStatus(`${base}/ws?site=a.test`, { origin: base, token: "wrong-token-0123456789" })).toBe(401);
      expect(await upgradeStatus(`${base}/ws`, { origin: base })).toBe(401);
    });

    test("bad input gets its status and the server keeps serving", async () => {
      const cases: Array<[RequestInit & { path?: string }, number]> = [
        [{ method: "POST", body: "{not json" }, 400],
        [{ method: "POST", body: '{"n":"pageview"}' }, 400],
        [{ method: "POST", body: '{"n":"pageview","u":"mailto:x@y.z"}' }, 400],
        [{ method: "POST", body: JSON.stringify({ n: "pageview", u: "https://a.test/", p: { x: "y".repeat(10_000) } }) }, 413],
        [{ method: "POST", body: "x".repeat(200_000) }, 413],
        [{ method: "PUT", body: "{}" }, 405],
        [{ method: "POST", body: JSON.stringify({ n: "x", u: "https://a.test/", p: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 1])) }) }, 400],
      ];
      for (const [init, status] of cases) {
        const response = await fetch(`${base}/api/event`, init);
        expect(response.status).toBe(status);
        if (status !== 413 || init.body !== "x".repeat(200_000)) expect(typeof ((await response.json()) as { error: string }).error).toBe("string");
      }
      const client = await dashboard("still-alive.test");
      expect((await sendPageview("still-alive.test", "/after-garbage")).status).toBe(202);
      await client.waitFor(withPath("/after-garbage"));
      client.socket.close();
    });

    test("two sites do not see each other's events", async () => {
      const a = await dashboard("site-a.test");
      const b = await dashboard("site-b.test");
      await sendPageview("site-a.test", "/only-a");
      await sendPageview("site-b.test", "/only-b");
      await a.waitFor(withPath("/only-a"));
      await b.waitFor(withPath("/only-b"));
      await Bun.sleep(3 * TICK_MS);
      const paths = (client: TestDashboard) => client.frames.filter(isTick).flatMap((frame) => frame.feed.map((item) => item.p));
      expect(paths(a)).toEqual(["/only-a"]);
      expect(paths(b)).toEqual(["/only-b"]);
      expect(a.frames.every((frame) => frame.type !== "tick" || frame.site === "site-a.test")).toBe(true);
      a.socket.close();
      b.socket.close();
    });

    test("a dashboard that sends a message is closed with 1008", async () => {
      const client = await dashboard("chatty.test");
      client.socket.send("hello?");
      expect((await client.closed).code).toBe(1008);
    });

    test("the site list socket gets the list, then updates when a new site appears", async () => {
      const list = await openDashboard(`${wsBase}/ws`, base, TOKEN);
      const first = (await list.waitFor((frame) => frame.type === "sites")) as SitesFrame;
      expect(first.sites.map((summary) => summary.site)).not.toContain("brand-new.test");
      await sendPageview("brand-new.test", "/");
      const update = (await list.waitFor((frame) => frame.type === "sites" && frame.sites.some((s) => s.site === "brand-new.test"))) as SitesFrame;
      // The new site comes with its figures: the one visitor and pageview just sent.
      const summary = update.sites.find((s) => s.site === "brand-new.test");
      expect(summary).toMatchObject({ site: "brand-new.test", visitors: 1, pageviews: 1 });
      expect(summary?.minutes?.reduce((total, count) => total + count, 0)).toBe(1);
      list.socket.close();
    });

    test("/metrics counts what happened: accepted and dropped events, dashboards, frames", async () => {
      const scrape = async () => {
        const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
        const value = (name: string) => Number(text.split("\n").find((line) => line.startsWith(`${name} `))?.split(" ")[1]);
        return {
          accepted: value("pulse_events_accepted_total"),
          bots: value('pulse_events_dropped_total{reason="bot"}'),
          invalid: value('pulse_events_dropped_total{reason="invalid"}'),
          dashboards: value("pulse_dashboards_connected"),
          frames: value("pulse_frames_published_total"),
        };
      };
      const before = await scrape();
      const client = await dashboard("metrics.test");
      await sendPageview("metrics.test", "/counted");
      await sendPageview("metrics.test", "/bot", "Googlebot/2.1");
      await fetch(`${base}/api/event`, { method: "POST", body: "{nope" });
      await client.waitFor(withPath("/counted"));
      const after = await scrape();
      expect(after.accepted - before.accepted).toBe(1);
      expect(after.bots - before.bots).toBe(1);
      expect(after.invalid - before.invalid).toBe(1);
      expect(after.dashboards - before.dashboards).toBe(1);
      expect(after.frames).toBeGreaterThan(before.frames);
      client.socket.close();
    });

    test("ingest answers 202 \"ok\" as text, open to every origin, and its preflight 204", async () => {
      const accepted = await sendPageview("answers.test", "/answered");
      expect(accepted.status).toBe(202);
      expect(accepted.headers.get("content-type")?.toLowerCase()).toBe("text/plain;charset=utf-8");
      expect(accepted.headers.get("access-control-allow-origin")).toBe("*");
      expect(await accepted.text()).toBe("ok");
      const preflight = await fetch(`${base}/api/event`, { method: "OPTIONS" });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    });

    test("the sign-in form with the token sets the session cookie; a wrong token gets 401", async () => {
      const signIn = (token: string) =>
        fetch(`${base}/sign-in`, {
          method: "POST",
          redirect: "manual",
          headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ token, site: "live.test" }).toString(),
        });
      const signed = await signIn(TOKEN);
      expect(signed.status).toBe(303);
      expect(signed.headers.get("location")).toBe("/?site=live.test");
      expect(signed.headers.get("set-cookie")).toStartWith("pulse_session=");
      expect((await signIn("not-the-token-0123456789")).status).toBe(401);
    });

    test("a HEAD's answer leaves its connection fit for the next request, or says to close it", async () => {
      const port = Number(new URL(base).port);
      const answers = await exchangeOnOneConnection(port, ["HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
      expect(answers[0]).toMatch(/\r\ncontent-length: 3\r\n/i);
      // Either the GET is answered on the same connection, or the HEAD's answer told the client to close it.
      if (!/\r\nconnection: close\r\n/i.test(answers[0]!)) expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
    });

    test("a second server on the port of a running one is refused with the reason, and the first goes on answering", async () => {
      // A port given, not 0: uWebSockets would share only a port given (SO_REUSEPORT), silently.
      const port = String(freePort());
      const first = await startServer({ runtime, args: ["--port", port] });
      try {
        await expect(startServer({ runtime, args: ["--port", port] })).rejects.toThrow(`port ${port} is already in use on 127.0.0.1`);
        expect((await fetch(`${first.url}healthz`)).status).toBe(200);
      } finally {
        await first.stop();
      }
    });

    // Past SHARD_SUBSCRIBERS several times, so the frame goes out in passes to several shards of the topic.
    test("2,500 sockets on one site all receive the same tick frame", async () => {
      const clients: TestDashboard[] = [];
      for (let batch = 0; batch < 25; batch++) {
        clients.push(...(await Promise.all(Array.from({ length: 100 }, () => dashboard("crowd.test")))));
      }
      await Promise.all(clients.map((client) => client.waitFor((frame) => frame.type === "snapshot")));
      expect((await sendPageview("crowd.test", "/for-everyone")).status).toBe(202);
      const received = await Promise.all(clients.map((client) => client.waitFor(withPath("/for-everyone"), 10_000)));
      const texts = new Set(clients.map((client, i) => client.raw[client.frames.indexOf(received[i]!)]));
      expect(texts.size).toBe(1);
      // Once each: no socket sits in two shards of the topic, nor is a shard published twice.
      await Bun.sleep(2 * TICK_MS);
      const copies = clients.map((client) => client.frames.filter(withPath("/for-everyone")).length);
      expect(copies.filter((count) => count !== 1)).toEqual([]);
      for (const client of clients) client.socket.close();
    }, 30_000);
  });
});
