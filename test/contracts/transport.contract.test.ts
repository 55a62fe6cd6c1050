/**
 * The Transport contract (src/server/transport.ts), run over every implementation through a real
 * port on loopback: a Pulse composed as the server composes it, served by the transport, with
 * ticks and publishes in the test's hands.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { composePulse, type Pulse } from "../../src/app.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import { parseConfig } from "../../src/config.ts";
import { CloseCode } from "../../src/core/wire/protocol.ts";
import { upgradeRequest } from "../../src/loadtest/dashboard-socket.ts";
import { BunTransport } from "../../src/server/bun-server.ts";
import { MAX_SOCKET_MESSAGE_BYTES, type Transport } from "../../src/server/transport.ts";
import { connect, type Socket } from "node:net";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { openDashboard, type TestDashboard } from "../helpers/dashboard-client.ts";
import { HandControl } from "../helpers/hand-control.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { UA } from "../helpers/user-agents.ts";

const TRANSPORTS: Array<[string, () => Transport]> = [["BunTransport (Bun.serve)", () => new BunTransport()]];
const TOKEN = "transport-token-0123456789";

describe.each(TRANSPORTS)("Transport contract: %s", (_, makeTransport) => {
  let transport: Transport;
  let pulse: Pulse;
  let base: string;
  let stopped = false;
  const sockets: TestDashboard[] = [];

  beforeEach(() => {
    const store = createMemoryStore();
    store.append(Array.from({ length: 2_000 }, (_, i) => storedEvent({ site: "export.test", path: `/${i}`, time: 1_700_000_000_000 + i })));
    const control = new HandControl(store.lastPosition());
    transport = makeTransport();
    pulse = composePulse(parseConfig([], {}), { files: {}, store, token: TOKEN, bus: new LocalBus(), control, transport, openFiles: null });
    const port = transport.listen({ port: 0, host: "127.0.0.1", reusePort: false }, pulse);
    control.start(pulse.node);
    base = `http://127.0.0.1:${port}`;
    stopped = false;
  });
  afterEach(async () => {
    for (const dashboard of sockets.splice(0)) dashboard.socket.close();
    if (!stopped) await transport.closeAll(CloseCode.GoingAway, "test over");
  });

  const dashboard = async (site: string) => {
    const opened = await openDashboard(`${base.replace("http", "ws")}/ws?site=${site}`, base, TOKEN);
    sockets.push(opened);
    await opened.waitFor((frame) => frame.type === "snapshot");
    return opened;
  };
  const marker = (n: number) => JSON.stringify({ type: "marker", n });
  const markers = (dashboard: TestDashboard) => dashboard.raw.filter((text) => text.includes('"marker"'));

  test("HTTP is the Fetch handler's: routes answer, ingest answers on its own path", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const ingest = await fetch(`${base}/api/event`, {
      method: "POST",
      headers: { "user-agent": UA.chromeWindows },
      body: JSON.stringify({ n: "pageview", u: "https://shop.test/", d: "shop.test" }),
    });
    expect(ingest.status).toBe(202);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  test("a streamed body arrives whole", async () => {
    const response = await fetch(`${base}/api/export?site=export.test`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    // The header, then every stored event.
    expect(lines).toHaveLength(2_001);
    expect(lines.at(-1)).toContain("/1999");
  });

  test("a request body far past the ingest limit is refused", async () => {
    const response = await fetch(`${base}/api/event`, { method: "POST", body: "x".repeat(1024 * 1024) });
    expect(response.status).toBe(413);
  });

  test("publish reaches every socket subscribed to the topic, and no other", async () => {
    const watching = await Promise.all([dashboard("a.test"), dashboard("a.test"), dashboard("a.test")]);
    const other = await dashboard("b.test");
    transport.publish("site:a.test", marker(1));
    transport.publish("site:b.test", marker(2));
    await Promise.all([...watching, other].map((socket) => socket.waitFor((frame) => (frame as { type: string }).type === "marker")));
    for (const socket of watching) expect(markers(socket)).toEqual([marker(1)]);
    // Frames on one connection arrive in order: b's own marker came, a's never did.
    expect(markers(other)).toEqual([marker(2)]);
  });

  test("a socket carries its upgrade's data, and a command the core takes moves it to another topic", async () => {
    const socket = await dashboard("a.test");
    socket.socket.send(JSON.stringify({ type: "watch", site: "b.test" }));
    await socket.waitFor((frame) => frame.type === "snapshot" && frame.site === "b.test");
    transport.publish("site:a.test", marker(1));
    transport.publish("site:b.test", marker(2));
    await socket.waitFor((frame) => (frame as { type: string }).type === "marker");
    expect(markers(socket)).toEqual([marker(2)]);
  });

  test("a closed socket is reported to the dashboards once", async () => {
    const first = await dashboard("a.test");
    await dashboard("a.test");
    expect(pulse.dashboards.connected).toBe(2);
    first.socket.close();
    await first.closed;
    for (let i = 0; i < 50 && pulse.dashboards.connected !== 1; i++) await Bun.sleep(10);
    await Bun.sleep(50);
    expect(pulse.dashboards.connected).toBe(1);
  });

  test("a message past the limit closes the socket with 1009", async () => {
    const socket = await dashboard("a.test");
    socket.socket.send("x".repeat(MAX_SOCKET_MESSAGE_BYTES + 1));
    expect((await socket.closed).code).toBe(CloseCode.MessageTooBig);
  });

  test("a socket that stops reading is dropped past the backpressure limit, and counted", async () => {
    const stalled = await stalledDashboard(new URL(`${base.replace("http", "ws")}/ws?site=a.test`), { Origin: base, Authorization: `Bearer ${TOKEN}` });
    const live = await dashboard("a.test");
    const frame = JSON.stringify({ type: "marker", pad: "p".repeat(15_000) });
    // A frame a turn, as ticks send them, until the kernel's buffers and then the limit are full.
    for (let sent = 0; sent < 64 * 1024 * 1024 && pulse.metrics.abnormalCloses === 0; sent += frame.length) {
      transport.publish("site:a.test", frame);
      await Bun.sleep(0);
    }
    stalled.destroy();
    // Dropped by the server (the client, not reading, never hears of it), and reported as closed.
    expect(pulse.metrics.abnormalCloses).toBe(1);
    expect(pulse.dashboards.connected).toBe(1);
    // The live one on the same topic is still open and reading.
    transport.publish("site:a.test", marker(1));
    await live.waitFor((frame) => (frame as { n?: number }).n === 1);
  });

  test("stopListening refuses new connections; open dashboards go on", async () => {
    const socket = await dashboard("a.test");
    transport.stopListening();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    transport.publish("site:a.test", marker(1));
    await socket.waitFor((frame) => (frame as { type: string }).type === "marker");
  });

  test("closeAll closes every dashboard with the code given", async () => {
    const sockets = await Promise.all([dashboard("a.test"), dashboard("b.test")]);
    stopped = true;
    // A code of the application's range, so the transport's own closing code cannot pass for it.
    await transport.closeAll(4000, "restarting");
    const closes = await Promise.all(sockets.map((socket) => socket.closed));
    expect(closes).toEqual([
      { code: 4000, reason: "restarting" },
      { code: 4000, reason: "restarting" },
    ]);
  });
});

/** A dashboard that completes the handshake, then never reads again (the kernel's buffers fill, then the server's queue). */
async function stalledDashboard(url: URL, headers: Record<string, string>): Promise<Socket> {
  const socket = connect(Number(url.port), url.hostname);
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(upgradeRequest(url, headers));
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  socket.pause();
  return socket;
}
