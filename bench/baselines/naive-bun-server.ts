/**
 * Baseline: a naive Bun.serve server. Every pageview is published to its site's topic the moment
 * it arrives, one frame per event; no batching, no aggregation, no origin check, no auth.
 * Run: bun bench/baselines/naive-bun-server.ts [--port P] [--host ADDR]   (port 0 picks one)
 * Dashboards: ws://host:P/ws?site=<site>, frames {"type":"event","p":…,"n":…,"t":…}.
 */
const port = Number(flag("--port") ?? 3002);
const host = flag("--host") ?? "0.0.0.0";

const server = Bun.serve({
  port,
  hostname: host,
  async fetch(req, server) {
    const { pathname, searchParams } = new URL(req.url);
    if (pathname === "/ws") {
      const site = searchParams.get("site");
      if (!site) return new Response("site required", { status: 400 });
      return server.upgrade(req, { data: { site } }) ? undefined : new Response("upgrade required", { status: 426 });
    }
    if (req.method !== "POST" || pathname !== "/api/event") return new Response("not found", { status: 404 });
    const event = parseEvent(await req.text());
    if (!event) return new Response("bad request", { status: 400 });
    server.publish(event.site, JSON.stringify({ type: "event", p: event.path, n: event.name, t: Date.now() }), false);
    return new Response("ok", { status: 202 });
  },
  websocket: {
    data: {} as { site: string },
    open(ws) {
      ws.subscribe(ws.data.site);
    },
    message() {},
    // The same socket settings as Pulse's dashboards, so the stalled-dashboard scenario compares.
    perMessageDeflate: false,
    maxPayloadLength: 1024,
    backpressureLimit: 64 * 1024,
    closeOnBackpressureLimit: true,
  },
});

console.log(`listening on ${server.port}`);

/** Plausible's long or short keys; the domain defaults to the URL's host. Null when unusable. */
function parseEvent(text: string): { name: string; site: string; path: string } | null {
  let body: Record<string, unknown>;
  let url: URL;
  try {
    body = JSON.parse(text);
    url = new URL(String(body.u ?? body.url));
  } catch {
    return null;
  }
  const name = body.n ?? body.name ?? "pageview";
  const site = body.d ?? body.domain ?? url.hostname;
  if (typeof name !== "string" || typeof site !== "string") return null;
  return { name, site, path: url.pathname };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

// A module, not a script: its top-level names stay out of the global scope tsc checks.
export {};
