/**
 * A dashboard that stops reading: a raw TCP connection that completes the WebSocket handshake,
 * then pauses (so the kernel buffers fill and the server's queue for it grows) while it may still
 * write. For Socket.IO it first joins the namespace, as a real client would before stalling.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface StalledSocket {
  /** Sends a masked text frame, as a browser would. */
  sendText(text: string): boolean;
  /** Resolves when the connection ends (seen once reading resumes, or on a write error). */
  closed: Promise<void>;
  socket: Socket;
  destroy(): void;
}

export function openStalledSocket(url: URL, headers: Record<string, string>, socketIo = false): Promise<StalledSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = "";
    let upgraded = false;
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("error", reject);
    socket.on("connect", () => {
      const lines = [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${url.host}`,
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    const stall = () => {
      socket.off("data", onData);
      socket.on("error", () => {}); // the server will end it: that is the point
      socket.pause();
      resolve({ sendText: (text) => socket.write(maskedTextFrame(text)), closed, socket, destroy: () => socket.destroy() });
    };
    const onData = (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (!upgraded) {
        const end = received.indexOf("\r\n\r\n");
        if (end === -1) return;
        if (!received.startsWith("HTTP/1.1 101")) return reject(new Error(`upgrade refused: ${received.split("\r\n")[0]}`));
        upgraded = true;
        received = received.slice(end + 4);
        if (!socketIo) return stall();
      }
      // Engine.IO's open packet: join the default namespace, then stop reading.
      if (received.includes('0{"sid"')) {
        socket.write(maskedTextFrame("40"));
        stall();
      }
    };
    socket.on("data", onData);
  });
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error("stalled sockets send short frames only");
  const mask = randomBytes(4);
  const frame = Buffer.alloc(2 + 4 + payload.length);
  frame[0] = 0x81; // FIN + text
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}
