/**
 * Baseline: the floor. The least any server must do for the load test's workload: take the same
 * sockets (/ws dashboards, one topic per site; /live widgets, one topic per page) and the same
 * pageviews (read, answered 202, nothing kept), and write frames of Pulse's size: every tick to
 * every dashboard topic, every --live-interval to every widget topic (with churn, every page's
 * count changes each interval), and one to each new widget. No parsing, no checks, no figures.
 * Run: bun bench/baselines/floor-server.ts [--port P] [--host ADDR] [--tick-ms 250]
 *      [--live-interval 5] [--frame-bytes N] [--widget-frame-bytes N]   (port 0 picks one)
 */
const port = Number(flag("--port") ?? 3004);
const host = flag("--host") ?? "0.0.0.0";
const tickMs = Number(flag("--tick-ms") ?? 250);
const liveIntervalMs = Number(flag("--live-interval") ?? 5) * 1000;
const dashboardFrame = "x".repeat(Number(flag("--frame-bytes") ?? 1000));
const widgetFrame = "p".padEnd(Number(flag("--widget-frame-bytes") ?? 3), "1");

/** Topics with at least one subscriber, and how many, so an empty one costs no publish. */
const dashboards = new Map<string, number>();
const widgets = new Map<string, number>();
const join = (topics: Map<string, number>, topic: string) => topics.set(topic, (topics.get(topic) ?? 0) + 1);
const leave = (topics: Map<string, number>, topic: string) => {
  const left = (topics.get(topic) ?? 1) - 1;
  if (left === 0) topics.delete(topic);
  else topics.set(topic, left);
};

const server = Bun.serve({
  port,
  hostname: host,
  async fetch(req, server) {
    const { pathname, searchParams } = new URL(req.url);
    if (pathname === "/ws" || pathname === "/live") {
      const widget = pathname === "/live";
      const topic = widget ? `${searchParams.get("site")}|${searchParams.get("page")}` : `${searchParams.get("site")}`;
      return server.upgrade(req, { data: { topic, widget } }) ? undefined : new Response("upgrade required", { status: 426 });
    }
    if (req.method === "POST") await req.arrayBuffer();
    return new Response("ok", { status: 202 });
  },
  websocket: {
    data: {} as { topic: string; widget: boolean },
    open(ws) {
      ws.subscribe(ws.data.topic);
      join(ws.data.widget ? widgets : dashboards, ws.data.topic);
      // Pulse sends a new dashboard its snapshot, and a new widget its count, to it alone.
      ws.send(ws.data.widget ? widgetFrame : dashboardFrame);
    },
    close(ws) {
      leave(ws.data.widget ? widgets : dashboards, ws.data.topic);
    },
    message() {},
    perMessageDeflate: false,
    maxPayloadLength: 1024,
    backpressureLimit: 64 * 1024,
    closeOnBackpressureLimit: true,
  },
});

setInterval(() => {
  for (const topic of dashboards.keys()) server.publish(topic, dashboardFrame);
}, tickMs);
setInterval(() => {
  for (const topic of widgets.keys()) server.publish(topic, widgetFrame);
}, liveIntervalMs);

console.log(`listening on ${server.port}`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

// A module, not a script: its top-level names stay out of the global scope tsc checks.
export {};
