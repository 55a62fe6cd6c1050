/**
 * The dashboard's cost to the browser: one site's view in headless Chromium, receiving a frame per
 * 250 ms tick, each with a full feed (FEED_ITEMS_PER_TICK pageviews or more per tick, over many
 * pages, countries and browsers, so the lists change too). Measures, over the run, the renderer's
 * main-thread busy time (task time / wall time, from the DevTools Protocol's TaskDuration) and its
 * longest task (from a trace of top-level tasks), and prints PASS or MISS against the targets. On a
 * machine shared with other work a task also counts the time the thread waited for a core, so the
 * trace's thread time (the CPU the tasks used) is printed beside both, and the load average.
 * `--binary` runs another build, so that two builds can be measured at the same time, under the
 * same load from whatever else the machine runs: each run starts its own server and browser.
 *
 *   bun build.ts && bun bench/dashboard-cpu.ts [--seconds 60] [--rate 60] [--height 800] [--reduced-motion] [--trace file.json] [--binary path]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { CDPSession, Page } from "playwright-core";
import { FEED_ITEMS_PER_TICK } from "../src/core/wire/protocol.ts";
import { launchBrowser } from "../test/helpers/browser.ts";
import { UA } from "../test/helpers/user-agents.ts";
import { startBenchServer, TICK_MS, TOKEN } from "./servers.ts";

const TARGET_BUSY_PERCENT = 10;
const TARGET_LONGEST_TASK_MS = 50;
const SITE = "cpu.bench";
const PATHS = Array.from({ length: 40 }, (_, i) => (i === 0 ? "/" : `/section-${i % 6}/page-${i}`));
const ZONES = ["Europe/Paris", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Sao_Paulo", "Australia/Sydney", "Asia/Kolkata", "Europe/London", "Europe/Madrid", "America/Chicago"];
const BROWSERS = [UA.chromeWindows, UA.firefoxLinux, UA.safariIphone, UA.safariIpad];
const SOURCES = ["", "https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/x", "https://www.reddit.com/r/x"];

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "60" },
    /** The window's height: 800 shows the figures, the charts and the map; 2000 shows the lists and the feed too. */
    height: { type: "string", default: "800" },
    /** As a browser set to reduce motion: no animations or transitions, to see what they cost. */
    "reduced-motion": { type: "boolean", default: false },
    /** Writes the trace, with the timeline's events (style, layout, paint), to this file for DevTools. */
    trace: { type: "string" },
    /** The Pulse binary to serve the dashboard: another build than dist/pulse. */
    binary: { type: "string" },
  },
});
const seconds = Number(values.seconds);
/** Pageviews per second: FEED_ITEMS_PER_TICK per tick fills the feed; more makes sure every tick does. */
const rate = Math.max(Number(values.rate), (FEED_ITEMS_PER_TICK * 1000) / TICK_MS);

const server = await startBenchServer("pulse", { tickMs: TICK_MS, liveInterval: 5, ...(values.binary ? { pulseBinary: values.binary } : {}) });
const origin = `http://127.0.0.1:${server.port}`;
const browser = await launchBrowser();
let sending = true;
try {
  const page = await browser.newPage({
    viewport: { width: 1280, height: Number(values.height) },
    userAgent: UA.chromeWindows,
    reducedMotion: values["reduced-motion"] ? "reduce" : "no-preference",
  });
  let frames = 0;
  page.on("websocket", (socket) => socket.on("framereceived", () => frames++));
  // A trace of the renderer's top-level tasks, for the longest; TaskDuration, for the busy time.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");

  let visitor = 0;
  const traffic = (async () => {
    const perTick = Math.ceil((rate * TICK_MS) / 1000);
    while (sending) {
      const started = performance.now();
      await Promise.all(Array.from({ length: perTick }, () => sendPageview(origin, visitor++)));
      await Bun.sleep(Math.max(0, TICK_MS - (performance.now() - started)));
    }
  })();

  await page.goto(`${origin}/?site=${SITE}&token=${TOKEN}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.textContent === "live", undefined, { timeout: 15_000 });
  // Settle: the lists and the feed fill up before the measured period.
  await Bun.sleep(3_000);

  const timeline = values.trace ? ["devtools.timeline", "disabled-by-default-devtools.timeline"] : [];
  await browser.startTracing(page, { categories: ["toplevel", "__metadata", ...timeline] });
  const loadBefore = loadavg()[0]!;
  const before = await taskSeconds(cdp);
  const framesBefore = frames;
  const start = performance.now();
  await Bun.sleep(seconds * 1000);
  const wallSeconds = (performance.now() - start) / 1000;
  const after = await taskSeconds(cdp);
  const framesDuring = frames - framesBefore;
  const traceText = (await browser.stopTracing()).toString("utf8");
  if (values.trace) await Bun.write(values.trace, traceText);
  const trace = JSON.parse(traceText) as Trace;
  sending = false;
  await traffic;

  const busyPercent = ((after - before) / wallSeconds) * 100;
  const tasks = mainThreadTasks(trace);
  const longest = Math.max(0, ...tasks.map((task) => task.ms));
  const longestCpu = Math.max(0, ...tasks.map((task) => task.cpuMs));
  const cpuMs = tasks.reduce((total, task) => total + task.cpuMs, 0);
  const shown = await visitorsShown(page);
  const motion = values["reduced-motion"] ? ", reduced motion" : "";
  console.log(`dashboard main thread (${values.binary ?? "dist/pulse"}), ${wallSeconds.toFixed(1)} s at ${rate} pageviews/s (${visitor} sent), tick ${TICK_MS} ms, 1280 × ${values.height}${motion}`);
  console.log(`frames received:  ${(framesDuring / wallSeconds).toFixed(2)} per second (${framesDuring})`);
  console.log(`main thread busy: ${busyPercent.toFixed(2)} % (${((after - before) * 1000).toFixed(0)} ms of tasks)`);
  console.log(`  on its CPU:     ${((cpuMs / 1000 / wallSeconds) * 100).toFixed(2)} % (${cpuMs.toFixed(0)} ms of thread time)`);
  console.log(`longest task:     ${longest.toFixed(1)} ms (${longestCpu.toFixed(1)} ms of thread time)`);
  console.log(`visitors shown:   ${shown}`);
  console.log(`load average:     ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end (${navigator.hardwareConcurrency} cores)`);
  console.log(`${busyPercent < TARGET_BUSY_PERCENT ? "PASS" : "MISS"} busy under ${TARGET_BUSY_PERCENT} %`);
  console.log(`${longest <= TARGET_LONGEST_TASK_MS ? "PASS" : "MISS"} no task over ${TARGET_LONGEST_TASK_MS} ms`);
} finally {
  sending = false;
  await browser.close();
  await server.stop();
}

/** A pageview from its own visitor: each has a browser, a country (its time zone), a referrer and a page. */
async function sendPageview(origin: string, visitor: number): Promise<void> {
  const pick = <T>(list: readonly T[], salt: number) => list[(visitor * salt + (visitor >> 3)) % list.length]!;
  const response = await fetch(`${origin}/api/event`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": `${pick(BROWSERS, 7)} visitor/${visitor}` },
    body: JSON.stringify({ n: "pageview", u: `https://${SITE}${pick(PATHS, 13)}`, d: SITE, r: pick(SOURCES, 3), tz: pick(ZONES, 11) }),
  });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
}

/** The renderer main thread's task time so far, in seconds. */
async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((metric) => metric.name === "TaskDuration")!.value;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread time: what the event ran on a core. */
  tdur?: number;
  args?: { name?: string };
}
interface Trace {
  traceEvents: TraceEvent[];
}

/** The renderer main thread's (CrRendererMain) top-level tasks: wall and thread time, in ms. */
function mainThreadTasks(trace: Trace): Array<{ ms: number; cpuMs: number }> {
  const mainThreads = new Set(
    trace.traceEvents.filter((event) => event.ph === "M" && event.name === "thread_name" && event.args?.name === "CrRendererMain").map((event) => `${event.pid}:${event.tid}`),
  );
  const runs = trace.traceEvents
    .filter((event) => event.ph === "X" && event.dur !== undefined && mainThreads.has(`${event.pid}:${event.tid}`))
    .filter((event) => event.name === "ThreadControllerImpl::RunTask" || event.name === "RunTask")
    .sort((a, b) => a.ts - b.ts);
  // A task's RunTask events nest; count each task once, by its outermost event.
  const tasks: Array<{ ms: number; cpuMs: number }> = [];
  let end = -Infinity;
  for (const event of runs) {
    if (event.ts < end) continue;
    end = event.ts + event.dur!;
    tasks.push({ ms: event.dur! / 1000, cpuMs: (event.tdur ?? 0) / 1000 });
  }
  return tasks;
}

async function visitorsShown(page: Page): Promise<string> {
  return (await page.locator('[data-testid="current-visitors"]').textContent()) ?? "";
}
