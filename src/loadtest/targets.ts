/**
 * Where sockets connect. A client gets about 28,000 ephemeral ports per destination address, so
 * against a loopback server the dashboards are spread over 127.0.0.1-127.0.0.8 (a server on
 * 0.0.0.0 answers them all), each with the Origin that address makes the server's own.
 */
export interface Destination {
  /** http://127.0.0.3:3000 */
  origin: string;
  /** ws://127.0.0.3:3000 */
  ws: string;
}

const LOOPBACK_ALIASES = 8;

export function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname.startsWith("127.") || url.hostname === "[::1]";
}

export function destinations(target: string): Destination[] {
  const url = new URL(target);
  const hosts = isLoopback(url) && url.hostname !== "[::1]" ? Array.from({ length: LOOPBACK_ALIASES }, (_, i) => `127.0.0.${i + 1}`) : [url.hostname];
  return hosts.map((host) => {
    const origin = `${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`;
    return { origin, ws: origin.replace(/^http/, "ws") };
  });
}

/** The destinations that accept a TCP connection: a server bound to 127.0.0.1 only does not answer 127.0.0.2. */
export async function reachableDestinations(target: string, timeoutMs = 1000): Promise<Destination[]> {
  const all = destinations(target);
  const reachable = await Promise.all(all.map((destination) => canConnect(new URL(destination.origin), timeoutMs)));
  return all.filter((_, i) => reachable[i]);
}

function canConnect(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    Bun.connect({
      hostname: url.hostname,
      port,
      socket: {
        open(socket) {
          clearTimeout(timer);
          socket.end();
          resolve(true);
        },
        data() {},
        connectError() {
          clearTimeout(timer);
          resolve(false);
        },
      },
    }).catch(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
