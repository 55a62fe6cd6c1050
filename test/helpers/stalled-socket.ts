/**
 * A dashboard that stops reading: a raw TCP connection that completes the WebSocket handshake,
 * then pauses (so the kernel buffers fill and the server's queue for it grows) while still writing.
 */
import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";

export interface StalledSocket {
  /** Sends a masked text frame, as a browser would. */
  sendText(text: string): boolean;
  /** Resolves when the server has ended the connection (seen once reading resumes). */
  closed: Promise<void>;
  socket: Socket;
  destroy(): void;
}

export function openStalledSocket(url: URL, headers: Record<string, string>): Promise<StalledSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let head = "";
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
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
      // From here on nothing is read.
      socket.pause();
      resolve({ sendText: (text) => socket.write(maskedTextFrame(text)), closed, socket, destroy: () => socket.destroy() });
    };
    socket.on("data", onData);
  });
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error("test frames are short");
  const mask = randomBytes(4);
  const frame = Buffer.alloc(2 + 4 + payload.length);
  frame[0] = 0x81; // FIN + text
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}
