import { randomBytes } from "node:crypto";
import type { Protocol } from "./options.ts";
import type { Destination } from "./targets.ts";

export interface DashboardTarget {
  protocol: Protocol;
  destination: Destination;
  site: string;
  token: string | null;
  /** A filtered view's query (`page=%2Fpricing`), Pulse only; none for the whole site. */
  filters?: string;
}

/** The URL and headers a dashboard of each protocol connects with. */
export function dashboardRequest({ protocol, destination, site, token, filters }: DashboardTarget): { url: string; headers: Record<string, string> } {
  if (protocol === "socketio") return { url: `${destination.ws}/socket.io/?EIO=4&transport=websocket&site=${site}`, headers: {} };
  const headers: Record<string, string> = { Origin: destination.origin };
  if (token) headers.Authorization = `Bearer ${token}`;
  return { url: `${destination.ws}/ws?site=${site}${filters ? `&${filters}` : ""}`, headers };
}

// Bun's WebSocket takes headers (Origin, Authorization); the DOM typings only know the browser's signature.
const BunWebSocket = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

/**
 * Opens one dashboard and hands every data frame to `onText` unparsed (parsing thousands of frames a
 * second would make the generator the bottleneck). Resolves once the dashboard is subscribed:
 * at open for Pulse and the naive server, after the namespace join for Socket.IO, whose pings it answers.
 */
export function openDashboard(
  target: DashboardTarget,
  onText: (text: string) => void,
  onClose: (code: number) => void,
  timeoutMs = 15_000,
): Promise<WebSocket> {
  const { url, headers } = dashboardRequest(target);
  const socket = new BunWebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => fail("timed out"), timeoutMs);
    const succeed = () => {
      ready = true;
      clearTimeout(timer);
      resolve(socket);
    };
    function fail(why: string) {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      socket.close();
      reject(new Error(why));
    }
    socket.addEventListener("open", () => target.protocol !== "socketio" && succeed());
    socket.addEventListener("error", () => fail("connection failed"));
    socket.addEventListener("close", (event) => (ready ? onClose(event.code) : fail(`closed with ${event.code}`)));
    socket.addEventListener("message", (event) => {
      const text = String(event.data);
      if (target.protocol === "socketio") {
        // Engine.IO v4: "0{…}" open → join with "40"; "40{…}" joined; "2" ping → "3"; "42[…]" an event.
        if (text === "2") return socket.send("3");
        if (text.startsWith("42")) return onText(text);
        if (text.startsWith("40")) return succeed();
        if (text.startsWith("0")) return socket.send("40");
        return;
      }
      onText(text);
    });
  });
}

/** The marker paths a frame carries, for the few sockets that measure latency (they parse). */
export function markerPaths(protocol: Protocol, text: string): string[] {
  try {
    if (protocol === "pulse") {
      const frame = JSON.parse(text) as { type?: string; feed?: Array<{ p: string }> };
      return frame.type === "tick" ? (frame.feed ?? []).map((item) => item.p) : [];
    }
    if (protocol === "naive") return [(JSON.parse(text) as { p: string }).p];
    return [((JSON.parse(text.slice(2)) as [string, { p: string }])[1] ?? { p: "" }).p];
  } catch {
    return [];
  }
}

/** A Pulse tick frame's sequence number, read without parsing the frame; null for other frames. */
export function tickSeq(text: string): number | null {
  if (!text.startsWith('{"type":"tick"')) return null;
  const at = text.indexOf('"seq":');
  return at === -1 ? null : Number.parseInt(text.slice(at + 6, at + 20), 10);
}

/** The HTTP request that opens a WebSocket, for clients that speak it over a raw socket. */
export function upgradeRequest(url: URL, headers: Record<string, string>): string {
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
