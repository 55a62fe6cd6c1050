/**
 * `pulse loadtest`: spawns worker processes (each under the per-process open-file limit) that open
 * the dashboards and send the pageviews, measures pageview → dashboard latency itself with marker
 * events on a separate low-traffic site, prints a progress line every second and a report at the end.
 */
import { selfCommand } from "../cli/self-command.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { markerPaths, openDashboard } from "./dashboard-socket.ts";
import { Histogram } from "./histogram.ts";
import type { LoadtestConfig } from "./options.ts";
import { buildReport, formatReport, type Report } from "./report.ts";
import { findServerPids, sampleProcesses, type ProcessSample } from "./server-stats.ts";
import { isLoopback, reachableDestinations, type Destination } from "./targets.ts";
import { MARKER_PREFIX, markerPageview } from "./traffic.ts";
import type { WorkerPlan } from "./worker.ts";
import { emptyStats, sumStats, type WorkerStats } from "./worker-stats.ts";
import { openRawSocket } from "./raw-dashboard.ts";
import { checkWidgetCounts, widgetPage, widgetRequest, widgetShares, widgetTab, type WidgetTally } from "./widgets.ts";
import { errorMessage } from "../core/error-message.ts";

/** Dashboards per worker: with its HTTP connections a worker stays well under 20,000 open files. */
const DASHBOARDS_PER_WORKER = 10_000;
/** Widgets per worker, for the same reason. */
const WIDGETS_PER_WORKER = 10_000;
/** Past the quiet interval and tick, time for the last signals to cross the server's processes. */
const QUIET_MARGIN_MS = 1000;
/** The longest the load waits for the widgets' counts to settle after they connected. */
const SETTLE_TIMEOUT_MS = 60_000;
/**
 * Pageviews per second per sender process. Senders open no dashboards, so the time to 202 they
 * measure is the server's, not a generator busy decoding frames.
 */
const RATE_PER_SENDER = 4_000;
const MARKERS_PER_SECOND = 5;
const CONNECT_TIMEOUT_MS = 120_000;

export class LoadtestError extends Error {}

interface Worker {
  stats: WorkerStats;
  ready: boolean;
  final: boolean;
  send(line: string): void;
  exited: Promise<number>;
}

export async function runLoadtest(config: LoadtestConfig, log: (line: string) => void = (line) => process.stderr.write(line)): Promise<Report> {
  const token = resolveToken(config);
  const nodes = config.urls.map((url) => new URL(url));
  const serverPids = config.serverPid ? [config.serverPid] : nodes.filter(isLoopback).flatMap((node) => findServerPids(Number(node.port || (node.protocol === "https:" ? 443 : 80))));
  const serverIdle = sampleProcesses(serverPids);
  const reachable = await Promise.all(config.urls.map((url) => reachableDestinations(url)));
  const unreachable = config.urls.find((_, i) => reachable[i]!.length === 0);
  if (unreachable) throw new LoadtestError(`cannot connect to ${unreachable}`);
  // Node by node in turn, so that any few sockets (the markers) are spread over every node.
  const targets = interleave(reachable);
  if (config.widgets > 0 && config.protocol === "pulse") await probeWidget(config, targets[0]!);

  const dashboardWorkers = config.dashboards + config.stalled === 0 ? 0 : config.workers || Math.ceil((config.dashboards + config.stalled) / DASHBOARDS_PER_WORKER);
  const widgetWorkers = Math.ceil(config.widgets / WIDGETS_PER_WORKER);
  const senders = config.rate > 0 ? Math.ceil(config.rate / RATE_PER_SENDER) : 0;
  const share = (total: number, i: number, count: number) => Math.floor(total / count) + (i < total % count ? 1 : 0);
  const plan = (index: number, part: Pick<WorkerPlan, "dashboards" | "stalled" | "rate">): WorkerPlan => ({
    index,
    url: config.url,
    site: config.site,
    token,
    protocol: config.protocol,
    views: config.views,
    connectConcurrency: config.connectConcurrency,
    destinations: targets,
    ...part,
  });
  const workers = [
    ...Array.from({ length: dashboardWorkers }, (_, i) =>
      spawnWorker(plan(i, { dashboards: share(config.dashboards, i, dashboardWorkers), stalled: share(config.stalled, i, dashboardWorkers), rate: 0 })),
    ),
    ...widgetShares(config.widgets, widgetWorkers, config.widgetChurn).map((part, i) =>
      spawnWorker({ ...plan(dashboardWorkers + i, { dashboards: 0, stalled: 0, rate: 0 }), widgets: { ...part, widgetSite: config.widgetSite, pages: config.pages } }),
    ),
    ...Array.from({ length: senders }, (_, i) => spawnWorker(plan(dashboardWorkers + widgetWorkers + i, { dashboards: 0, stalled: 0, rate: config.rate / senders }))),
  ];

  const latency = new Histogram();
  const markers = await openMarkerSockets(config, token, latency, targets);
  const connectStarted = performance.now();
  const progress = startProgress(config, workers, latency, log);
  await waitFor(() => workers.every((worker) => worker.ready), CONNECT_TIMEOUT_MS, "the dashboards and widgets to connect");
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  // Counts move while the last widgets' tabs reach every server process: the load starts once
  // their frames have stopped, so what it measures is the load's, not the connection's. (The
  // floor writes every interval whatever the counts: it has nothing to settle.)
  if (config.widgets > 0 && config.protocol === "pulse") await waitForStillWidgets(() => sumStats(workers.map((worker) => worker.stats)).widgetFrames, config.liveInterval * 1000 + config.tickMs + QUIET_MARGIN_MS);
  const serverStart = sampleProcesses(serverPids);
  const framesAtStart = sumStats(workers.map((worker) => worker.stats));

  progress.loadStarted();
  for (const worker of workers) worker.send("go");
  const loadStarted = performance.now();
  const markerLoop = sendMarkers(config, markers.sentAt);
  await Bun.sleep(config.duration * 1000);
  markerLoop.stop();
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const serverEnd = sampleProcesses(serverPids);
  const framesAtEnd = sumStats(workers.map((worker) => worker.stats));
  for (const worker of workers) worker.send("stop");
  // Markers and frames sent in the last moments still get their chance to arrive; widgets get one
  // interval and a tick of quiet (no churn), after which every count they last received must be right.
  const quietMs = config.widgets > 0 ? config.liveInterval * 1000 + config.tickMs + QUIET_MARGIN_MS : Math.min(2000, config.tickMs * 4);
  await Bun.sleep(quietMs);
  for (const worker of workers) worker.send("close");
  await waitFor(() => workers.every((worker) => worker.final), 15_000, "the workers' final reports");
  progress.stop();
  markers.close();

  const stats = workers.map((worker) => worker.stats);
  const tallies = stats.map((worker) => worker.widgetTally).filter((tally): tally is WidgetTally => tally !== undefined);
  return buildReport({
    config,
    workers: stats,
    total: sumStats(stats),
    connectSeconds,
    loadSeconds,
    latency,
    serverIdle,
    serverStart,
    serverEnd,
    loadFrames: { dashboards: framesAtEnd.frames - framesAtStart.frames, widgets: framesAtEnd.widgetFrames - framesAtStart.widgetFrames },
    widgetCounts: config.widgets > 0 && config.protocol === "pulse" ? checkWidgetCounts(tallies) : null,
    quietSeconds: quietMs / 1000,
  });
}

export function printReport(report: Report, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
}

function resolveToken(config: LoadtestConfig): string | null {
  if (config.protocol !== "pulse") return null;
  if (config.token) return config.token;
  const file = join(config.data, "token");
  if (isLoopback(new URL(config.url)) && existsSync(file)) return readFileSync(file, "utf8").trim();
  throw new LoadtestError(`a Pulse server needs its access token: pass --token (or PULSE_TOKEN), or --data pointing at a local server's data directory`);
}

function spawnWorker(plan: WorkerPlan): Worker {
  const child = Bun.spawn([...selfCommand(), "loadtest-worker", JSON.stringify(plan)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const worker: Worker = {
    stats: emptyStats(),
    ready: false,
    final: false,
    send(line) {
      child.stdin.write(`${line}\n`);
      child.stdin.flush();
    },
    exited: child.exited,
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        const message = JSON.parse(buffered.slice(0, newline)) as { type: string; stats: WorkerStats };
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        worker.stats = message.stats;
        if (message.type === "ready") worker.ready = true;
        if (message.type === "final") worker.final = true;
      }
    }
    // A worker that died counts as done, so the run ends and says what it has.
    worker.ready = true;
    worker.final = true;
  })();
  return worker;
}

/** A few sockets on a quiet site of their own: marker pageviews there are never cut from a feed. */
async function openMarkerSockets(config: LoadtestConfig, token: string | null, latency: Histogram, targets: Destination[]) {
  const sentAt = new Map<string, number>();
  const site = markerSite(config.site);
  const sockets: WebSocket[] = [];
  const onText = (text: string) => {
    const now = performance.now();
    for (const path of markerPaths(config.protocol, text)) {
      const sent = sentAt.get(path);
      if (sent !== undefined) latency.record(now - sent);
    }
  };
  for (let i = 0; i < config.markers; i++) {
    const destination = targets[i % targets.length]!;
    try {
      sockets.push(await openDashboard({ protocol: config.protocol, destination, site, token }, onText, () => {}));
    } catch (error) {
      throw new LoadtestError(`cannot open a dashboard on ${destination.ws} (${errorMessage(error)}): check --url, --protocol and the token`);
    }
  }
  return { sentAt, close: () => sockets.forEach((socket) => socket.close()) };
}

/** One widget opened before the load, so a server that refuses widgets is told at once, with what to change. */
async function probeWidget(config: LoadtestConfig, destination: Destination): Promise<void> {
  try {
    const socket = await openRawSocket(widgetRequest(destination, config.widgetSite, widgetPage(0, config.pages), widgetTab(4095, 0)), false, () => {}, () => {});
    socket.close();
  } catch (error) {
    throw new LoadtestError(
      `/live refused a widget of ${config.widgetSite} (${errorMessage(error)}): start the server with --live-site ${config.widgetSite}, and --max-widgets-per-ip 0 for a load test from this machine`,
    );
  }
}

/** The lists' items taken one from each in turn: [[a1, a2], [b1]] gives [a1, b1, a2]. */
export function interleave<T>(lists: readonly T[][]): T[] {
  const result: T[] = [];
  for (let i = 0; result.length < lists.reduce((total, list) => total + list.length, 0); i++) {
    for (const list of lists) if (i < list.length) result.push(list[i]!);
  }
  return result;
}

export function markerSite(site: string): string {
  return `markers.${site}`;
}

function sendMarkers(config: LoadtestConfig, sentAt: Map<string, number>) {
  const site = markerSite(config.site);
  let id = 0;
  const timer = setInterval(() => {
    const { body, userAgent } = markerPageview(site, id);
    sentAt.set(`${MARKER_PREFIX}${id}`, performance.now());
    // Each to the next node in turn: with several, most markers cross from one node to another.
    void fetch(`${config.urls[id % config.urls.length]}/api/event`, { method: "POST", body, headers: { "user-agent": userAgent } }).then(
      (response) => response.arrayBuffer(),
      () => {},
    );
    id++;
  }, 1000 / MARKERS_PER_SECOND);
  return { stop: () => clearInterval(timer) };
}

function startProgress(config: LoadtestConfig, workers: Worker[], latency: Histogram, log: (line: string) => void) {
  const tty = process.stderr.isTTY;
  let previous = emptyStats();
  let previousAt = performance.now();
  let loading = false;
  const timer = setInterval(() => {
    const total = sumStats(workers.map((worker) => worker.stats));
    const seconds = (performance.now() - previousAt) / 1000;
    const perSecond = (key: "frames" | "accepted") => Math.round((total[key] - previous[key]) / seconds);
    const errors = total.connectFailures + total.dropped + total.widgetConnectFailures + total.widgetsDropped + total.networkErrors + Object.values(total.statuses).reduce((a, b) => a + b, 0);
    const line =
      `${loading ? "load" : "connecting"}: connected ${total.connected}/${config.dashboards}` +
      (config.widgets > 0 ? ` | widgets ${total.widgetsOpen}/${config.widgets}, frames/s ${Math.round((total.widgetFrames - previous.widgetFrames) / seconds)}` : "") +
      ` | frames/s ${perSecond("frames")} | pageviews/s ${perSecond("accepted")}` +
      ` | latency p50 ${fmt(latency.percentile(50))} p99 ${fmt(latency.percentile(99))} ms | errors ${errors}`;
    log(tty ? `\r${line}\x1b[K` : `${line}\n`);
    previous = total;
    previousAt = performance.now();
  }, 1000);
  return {
    loadStarted: () => (loading = true),
    stop() {
      clearInterval(timer);
      if (tty) log("\n");
    },
  };
}

const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : "-");

/** Waits until no widget frame has come for `stillMs` (at most SETTLE_TIMEOUT_MS: a server that never settles is measured as it is). */
async function waitForStillWidgets(frames: () => number, stillMs: number): Promise<void> {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let last = frames();
  let stillSince = performance.now();
  while (performance.now() - stillSince < stillMs && performance.now() < deadline) {
    await Bun.sleep(100);
    const now = frames();
    if (now !== last) stillSince = performance.now();
    last = now;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new LoadtestError(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await Bun.sleep(50);
  }
}
