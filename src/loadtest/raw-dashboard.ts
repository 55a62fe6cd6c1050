/**
 * A dashboard connection as light as a load generator can make it: a raw TCP socket that speaks
 * just enough WebSocket (the upgrade, pongs, Engine.IO's handshake and pings) and hands each frame
 * to `onFrame` undecoded, with its size and first bytes.
 */
import type { Socket } from "bun";
import { dashboardRequest, upgradeRequest, type DashboardTarget } from "./dashboard-socket.ts";
import { clientFrame, FrameReader, type Frame } from "./frame-reader.ts";

const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
const ASCII = new TextDecoder("latin1");

export interface RawDashboard {
  close(): void;
}

export function openRawDashboard(
  target: DashboardTarget,
  onFrame: (frame: Frame) => void,
  onClose: () => void,
  timeoutMs = 15_000,
): Promise<RawDashboard> {
  return openRawSocket(dashboardRequest(target), target.protocol === "socketio", onFrame, onClose, timeoutMs);
}

/** The same light client for any WebSocket URL (a live widget's too); refused upgrades reject with the status line. */
export function openRawSocket(
  request: { url: string; headers: Record<string, string> },
  socketIo: boolean,
  onFrame: (frame: Frame) => void,
  onClose: () => void,
  timeoutMs = 15_000,
): Promise<RawDashboard> {
  const { url, headers } = request;
  const parsed = new URL(url);
  return new Promise((resolve, reject) => {
    let settled = false;
    let upgraded = false;
    let head = "";
    let connection: Socket | undefined;
    const dashboard: RawDashboard = { close: () => connection?.end() };
    const ready = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(dashboard);
    };
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection?.end();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail("timed out"), timeoutMs);
    const reader = new FrameReader((frame) => {
      if (frame.opcode === PING) return void connection?.write(clientFrame(PONG, frame.prefix));
      if (frame.opcode === CLOSE) return void connection?.end();
      if (frame.opcode !== TEXT) return;
      if (!socketIo) return onFrame(frame);
      // Engine.IO v4: "0{…}" open → join with "40"; "40…" joined; "2" ping → "3"; "42[…]" an event.
      const kind = ASCII.decode(frame.prefix.subarray(0, 2));
      if (kind === "42") return onFrame(frame);
      if (kind === "40") return ready();
      if (kind[0] === "2" && frame.length === 1) return void connection?.write(clientFrame(TEXT, new Uint8Array([0x33])));
      if (kind[0] === "0") connection?.write(clientFrame(TEXT, new Uint8Array([0x34, 0x30])));
    });

    Bun.connect({
      hostname: parsed.hostname,
      port: Number(parsed.port || 80),
      socket: {
        open(socket) {
          connection = socket;
          socket.write(upgradeRequest(parsed, headers));
        },
        data(_, chunk) {
          if (upgraded) return reader.push(chunk);
          head += ASCII.decode(chunk);
          const end = head.indexOf("\r\n\r\n");
          if (end === -1) return;
          if (!head.startsWith("HTTP/1.1 101")) return fail(`upgrade refused: ${head.split("\r\n")[0]} ${head.slice(end + 4, end + 204)}`.trim());
          upgraded = true;
          if (!socketIo) ready();
          // `head` holds one character per byte: what follows the headers is the end of this chunk.
          const leftover = head.length - (end + 4);
          if (leftover > 0) reader.push(chunk.subarray(chunk.length - leftover));
        },
        close() {
          if (settled) onClose();
          else fail("closed during the handshake");
        },
        error() {},
        connectError: () => fail("connection failed"),
      },
    }).catch(() => fail("connection failed"));
  });
}
