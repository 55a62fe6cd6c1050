/**
 * One load-generator process: opens its share of dashboards (bounded connect concurrency, spread
 * over the destination addresses), then, on "go" from the coordinator, sends its share of the
 * pageviews, and reports cumulative stats as one JSON line on stdout every half second.
 */
import { dashboardRequest, tickSeq } from "./dashboard-socket.ts";
import type { Frame } from "./frame-reader.ts";
import { Histogram } from "./histogram.ts";
import { KeepAliveClient, postRequest } from "./keep-alive-client.ts";
import type { Protocol } from "./options.ts";
import { openRawDashboard, type RawDashboard } from "./raw-dashboard.ts";
import { openStalledSocket, type StalledSocket } from "./stalled-socket.ts";
import type { Destination } from "./targets.ts";
import { pageview, viewQuery } from "./traffic.ts";
import { WidgetLoad, type WidgetPlan } from "./widget-load.ts";
import { emptyStats, type WorkerStats } from "./worker-stats.ts";

export interface WorkerPlan {
  index: number;
  url: string;
  site: string;
  token: string | null;
  protocol: Protocol;
  dashboards: number;
  stalled: number;
  /** Filtered views the dashboards spread over besides the whole site's. */
  views: number;
  /** Pageviews per second for this worker. */
  rate: number;
  connectConcurrency: number;
  /** Where to connect, already checked to answer. */
  destinations: Destination[];
  /** Live widgets this worker holds, if any. */
  widgets?: WidgetPlan;
}

/** Requests in flight at most; beyond it a due pageview counts as `behind` instead of piling up. */
const MAX_IN_FLIGHT = 1024;
/** Kept-alive connections of one sender, spread over the destinations: requests beyond them wait their turn. */
const SENDER_CONNECTIONS = 256;
const REPORT_MS = 500;
const SEND_SLOT_MS = 10;

export async function runWorker(plan: WorkerPlan): Promise<void> {
  const stats = emptyStats();
  const connectMs = new Histogram();
  const ingestMs = new Histogram();
  const widgetConnectMs = new Histogram();
  const widgets = plan.widgets ? new WidgetLoad(plan.widgets, plan.index, plan.destinations, stats, widgetConnectMs) : undefined;
  const frames = new Uint32Array(plan.dashboards);
  const lastSeq = new Float64Array(plan.dashboards).fill(-1);
  const sockets: RawDashboard[] = [];
  const stalled: StalledSocket[] = [];
  let stopping = false;

  const report = (final = false) => {
    const cpu = process.cpuUsage();
    stats.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    stats.connectMs = connectMs.toJSON();
    stats.ingestMs = ingestMs.toJSON();
    stats.widgetConnectMs = widgetConnectMs.toJSON();
    if (final && widgets) stats.widgetTally = widgets.tally();
    if (final && frames.length > 0) stats.perDashboard = spread(frames);
    process.stdout.write(`${JSON.stringify({ type: final ? "final" : "stats", stats })}\n`);
  };
  const reporter = setInterval(report, REPORT_MS);

  const targets = plan.destinations;
  const ascii = new TextDecoder("latin1");
  const onFrame = (id: number, frame: Frame) => {
    frames[id]!++;
    stats.frames++;
    stats.bytes += frame.length;
    if (plan.protocol !== "pulse") return;
    const seq = tickSeq(ascii.decode(frame.prefix));
    if (seq === null) return;
    if (lastSeq[id]! >= 0 && seq > lastSeq[id]! + 1) stats.gaps += seq - lastSeq[id]! - 1;
    lastSeq[id] = seq;
  };

  // Connect with at most `connectConcurrency` attempts in flight.
  let next = 0;
  const connectOne = async (): Promise<void> => {
    while (next < plan.dashboards) {
      const id = next++;
      const destination = targets[(id + plan.index) % targets.length]!;
      const started = performance.now();
      try {
        const socket = await openRawDashboard(
          { protocol: plan.protocol, destination, site: plan.site, token: plan.token, filters: viewQuery(id + plan.index, plan.views) },
          (frame) => onFrame(id, frame),
          () => stopping || stats.dropped++,
        );
        sockets.push(socket);
        connectMs.record(performance.now() - started);
        stats.connected++;
      } catch {
        stats.connectFailures++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.connectConcurrency, Math.max(1, plan.dashboards)) }, connectOne));

  for (let i = 0; i < plan.stalled; i++) {
    const destination = targets[(i + plan.index) % targets.length]!;
    const { url, headers } = dashboardRequest({ protocol: plan.protocol, destination, site: plan.site, token: plan.token });
    try {
      const socket = await openStalledSocket(new URL(url.replace(/^ws/, "http")), headers, plan.protocol === "socketio");
      stats.stalledConnected++;
      void socket.closed.then(() => stopping || stats.stalledClosed++);
      stalled.push(socket);
    } catch {
      stats.connectFailures++;
    }
  }
  await widgets?.openAll(plan.connectConcurrency);
  process.stdout.write(`${JSON.stringify({ type: "ready", stats })}\n`);

  await waitForLine("go");
  widgets?.startChurn();
  const sendLoop = plan.rate > 0 ? startSending(plan, stats, ingestMs) : { stop() {}, drained: async () => {} };
  await waitForLine("stop");
  sendLoop.stop();
  await Promise.all([sendLoop.drained(), widgets?.stopChurn()]);
  // The frames of the last ticks are still on their way: count them, then close.
  await waitForLine("close");
  stopping = true;
  clearInterval(reporter);
  report(true);
  for (const socket of sockets) socket.close();
  for (const socket of stalled) socket.destroy();
  widgets?.closeAll();
  process.exit(0);
}

function startSending(plan: WorkerPlan, stats: WorkerStats, ingestMs: Histogram) {
  const endpoint = new URL(`${plan.url}/api/event`);
  const client = new KeepAliveClient(
    plan.destinations.map(({ origin }) => ({ hostname: new URL(origin).hostname, port: Number(new URL(origin).port || 80) })),
    SENDER_CONNECTIONS,
  );
  const started = performance.now();
  let due = 0;
  let drained: () => void = () => {};
  const send = (n: number) => {
    const { body, userAgent } = pageview(plan.site, n);
    const sentAt = performance.now();
    stats.sent++;
    client.send({
      bytes: postRequest(endpoint, body, { "Content-Type": "text/plain", "User-Agent": userAgent }),
      done: (status) => {
        if (status === null) stats.networkErrors++;
        else {
          ingestMs.record(performance.now() - sentAt);
          if (status === 202) stats.accepted++;
          else stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        }
        if (client.inFlight === 0) drained();
      },
    });
  };
  const timer = setInterval(() => {
    const target = Math.floor(((performance.now() - started) / 1000) * plan.rate);
    while (due < target) {
      if (client.inFlight >= MAX_IN_FLIGHT) {
        stats.behind += target - due;
        due = target;
        break;
      }
      send(plan.index * 1_000_003 + due);
      due++;
    }
  }, SEND_SLOT_MS);
  return {
    stop: () => clearInterval(timer),
    drained: async () => {
      if (client.inFlight > 0) await Promise.race([new Promise<void>((resolve) => (drained = resolve)), Bun.sleep(5000)]);
      client.close();
    },
  };
}

function spread(counts: Uint32Array): [number, number, number] {
  const sorted = Array.from(counts).sort((a, b) => a - b);
  return [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted.at(-1)!];
}

let stdinLines: AsyncIterator<string> | undefined;

/** Waits for a command line ("go", "stop") from the coordinator; a closed stdin means stop. */
async function waitForLine(expected: string): Promise<void> {
  stdinLines ??= lines(Bun.stdin.stream());
  for (;;) {
    const next = await stdinLines.next();
    if (next.done || next.value.trim() === expected || next.value.trim() === "stop") return;
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  }
}
