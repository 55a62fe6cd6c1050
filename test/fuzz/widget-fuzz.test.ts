/**
 * Live-widget socket abuse against a real server process: random, oversized and binary messages,
 * RFC 6455 violations over raw TCP, connections left half-open, random parameters, and many
 * opens and closes, while three widgets watch one page. The server stays up, every abusive socket
 * is ended as docs/protocol.md says ("Live widget"), and the watchers' count stays right.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { eachTransport } from "../helpers/transports.ts";
import { UWS_MAY_KEEP_OPEN } from "./uws-leniency.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { fuzzSeed, ODD_CHARACTERS, Rng } from "./generators.ts";
import { abuseWebSocket, clientFrame } from "./raw-websocket.ts";
import { pool } from "./run-tools.ts";

const SITE = "fuzz.test";
const ORIGIN = `https://${SITE}`;
const INTERVAL_MS = 200;
const CASES = 300;
const SEED = fuzzSeed();
const BunWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

let server: ServerProcess;
/** uWebSockets.js 20.30 on Node.js: see uws-leniency.ts. */
let onUws = false;
let wsBase: string;
let port: number;

interface Widget {
  socket: WebSocket;
  frames: string[];
  opened: Promise<boolean>;
  closed: Promise<number>;
}

function widget(query: string, origin = ORIGIN): Widget {
  const socket = new BunWebSocket(`${wsBase}/live?${query}`, { headers: { Origin: origin } });
  const frames: string[] = [];
  socket.addEventListener("message", (event) => frames.push(String(event.data)));
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener("open", () => resolve(true));
    socket.addEventListener("error", () => resolve(false));
  });
  return { socket, frames, opened, closed };
}

const within = <T>(promise: Promise<T>, ms: number, otherwise: T) => Promise.race([promise, Bun.sleep(ms).then(() => otherwise)]);

/** One abusive case; a problem description, or undefined when the server did what it should. */
async function widgetCase(rng: Rng): Promise<string | undefined> {
  const page = `/fuzz/${rng.int(5)}`;
  switch (rng.int(6)) {
    case 0: {
      // Anything sent closes the socket: 1008, or 1009 past 1 KiB.
      const one = widget(`site=${SITE}&page=${page}`);
      if (!(await one.opened)) return "a valid widget could not open";
      const big = rng.chance(0.3);
      const text = big ? "x".repeat(rng.between(1025, 4000)) : rng.text(rng.between(1, 100), ODD_CHARACTERS);
      if (rng.chance(0.5)) one.socket.send(text);
      else one.socket.send(big ? rng.bytes(rng.between(1025, 4000)) : rng.bytes(rng.between(1, 1024)));
      const code = await within(one.closed, 3000, -1);
      return code === (big ? 1009 : 1008) ? undefined : `sent ${big ? "over" : "under"} 1 KiB, closed with ${code}`;
    }
    case 1: {
      // Random parameters: refused before the upgrade, or opened; never anything else.
      const query = [`site=${rng.pick([SITE, "FUZZ.TEST", "", "other.test", rng.text(8)])}`, `page=${encodeURIComponent(rng.pick(["/", "", "x", `/${rng.text(rng.between(1, 300))}`]))}`, `scope=${rng.pick(["page", "site", "both", "", "x"])}`, `tab=${rng.pick(["", "abcdefgh", rng.text(12)])}`];
      const response = await fetch(`${server.url}live?${query.join("&")}`, { headers: { origin: ORIGIN } });
      await response.body?.cancel();
      return [400, 403, 426].includes(response.status) ? undefined : `random parameters got ${response.status}`;
    }
    case 2: {
      // RFC 6455 violations below the WebSocket API: the server ends the connection.
      const [label, garbage] = rng.pick<readonly [string, Uint8Array]>([
        ["an unmasked frame", clientFrame({ opcode: 1, payload: new TextEncoder().encode("hi"), masked: false })],
        ["a reserved opcode", clientFrame({ opcode: 3 })],
        ["RSV bits set", clientFrame({ opcode: 1, rsv: 4 })],
      ]);
      const mayStayOpen = onUws && UWS_MAY_KEEP_OPEN.has(label);
      // What uWebSockets.js closes, it closes at once: a socket it may keep is not waited on for long.
      const result = await abuseWebSocket(port, `/live?site=${SITE}&page=${page}`, { origin: ORIGIN }, garbage, mayStayOpen ? 500 : 3000);
      return result.upgraded && (result.end !== "timeout" || mayStayOpen) ? undefined : `raw abuse (${label}): ${JSON.stringify(result)}`;
    }
    case 3: {
      // Half-open: the handshake, then silence with the connection left open (reaped by pings, later).
      await halfOpen(`/live?site=${SITE}&page=/half-open`);
      return undefined;
    }
    default: {
      // Open and close at once, or after its first count.
      const one = widget(`site=${SITE}&page=${rng.pick([page, "/watched"])}&scope=${rng.pick(["page", "site", "both"])}`);
      if (rng.chance(0.5)) await one.opened;
      else await within(new Promise((resolve) => one.socket.addEventListener("message", resolve)), 2000, undefined);
      one.socket.close();
      await within(one.closed, 3000, -1);
      return undefined;
    }
  }
}

const halfOpenSockets: Array<{ destroy(): void }> = [];
function halfOpen(path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      socket.once("data", () => resolve());
    });
    socket.on("error", () => resolve());
    halfOpenSockets.push(socket);
  });
}

eachTransport("on %s", (_, runtime) => {
  beforeAll(async () => {
    onUws = runtime === "node";
    server = await startServer({ runtime, args: ["--tick-ms", "50", "--live-site", SITE, "--live-interval", String(INTERVAL_MS / 1000), "--max-widgets-per-ip", "0"] });
    wsBase = server.url.replace(/^http/, "ws").replace(/\/$/, "");
    port = Number(new URL(server.url).port);
  }, 20_000);
  afterAll(() => server?.stop());

  describe("widget socket fuzz", () => {
    test(`${CASES} abusive widget sockets while three widgets watch a page (seed ${SEED})`, async () => {
      const watchers = [widget(`site=${SITE}&page=/watched`), widget(`site=${SITE}&page=/watched`), widget(`site=${SITE}&page=/watched`)];
      expect(await Promise.all(watchers.map((one) => one.opened))).toEqual([true, true, true]);
      const problems: string[] = [];
      const ran = await pool(CASES, 16, Date.now() + 60_000, async (index) => {
        const problem = await widgetCase(new Rng((SEED + index) >>> 0));
        if (problem) problems.push(problem);
      });
      expect(ran).toBe(CASES);
      expect(problems).toEqual([]);
      // The server is up, the watchers are open, and their count is theirs alone once an interval has passed.
      expect((await fetch(`${server.url}healthz`)).status).toBe(200);
      await Bun.sleep(3 * INTERVAL_MS);
      expect(watchers.map((one) => one.socket.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
      expect(watchers.map((one) => one.frames.at(-1))).toEqual(["p3", "p3", "p3"]);
      const fourth = widget(`site=${SITE}&page=/watched`);
      await fourth.opened;
      await Bun.sleep(3 * INTERVAL_MS);
      expect([...watchers, fourth].map((one) => one.frames.at(-1))).toEqual(["p4", "p4", "p4", "p4"]);
      for (const one of [...watchers, fourth]) one.socket.close();
      for (const socket of halfOpenSockets) socket.destroy();
    }, 90_000);
  });
});
