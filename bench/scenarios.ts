import type { ServerName } from "./servers.ts";

export interface Scenario {
  name: string;
  dashboards: number;
  stalled: number;
  rate: number;
  duration: number;
  servers: ServerName[];
  /** Filtered views the dashboards spread over besides the whole site's (`pulse loadtest --views`). */
  views?: number;
  /** Pulse's --tick-ms, when not the benchmark's 250 ms. */
  tickMs?: number;
  /** Live widgets (`pulse loadtest --widgets`), over `pages` pages, `widgetChurn` closed and reopened a second. */
  widgets?: number;
  pages?: number;
  widgetChurn?: number;
  /** Seconds, the server's --live-interval (default 5, Pulse's). */
  liveInterval?: number;
  /**
   * Runs per server, interleaved (each round in another order), keeping each server's median run:
   * for a comparison of rates, where one run on a shared 2-core machine varies by ±10%.
   */
  rounds?: number;
  /** What the scenario shows. */
  purpose: string;
}

const COMPARED: ServerName[] = ["pulse", "naive", "socketio"];
/** Pulse on both transports, Bun.serve's and uWebSockets.js on Node.js, beside the baselines. */
const BOTH_TRANSPORTS: ServerName[] = ["pulse", "pulse-node", "naive", "socketio"];
/** The floor writes frames of the size Pulse's had in the same scenario: it runs after Pulse. */
const AGAINST_FLOOR: ServerName[] = ["pulse", "floor"];

const HUNDRED_THOUSAND_WIDGETS = {
  dashboards: 0,
  stalled: 0,
  rate: 5_000,
  duration: 60,
  widgets: 100_000,
  pages: 200,
  // One process admits 18,000 widgets under 20,000 open files, and the kernel spreads connections unevenly: 6 workers refused some.
  servers: ["pulse-w8"],
} satisfies Partial<Scenario>;

export const SCENARIOS: Scenario[] = [
  { name: "idle", dashboards: 15_000, stalled: 0, rate: 0, duration: 10, servers: BOTH_TRANSPORTS, purpose: "memory per idle dashboard" },
  { name: "2k@200", dashboards: 2_000, stalled: 0, rate: 200, duration: 30, servers: COMPARED, purpose: "a busy site" },
  { name: "10k@1000", dashboards: 10_000, stalled: 0, rate: 1_000, duration: 30, servers: COMPARED, purpose: "many dashboards, steady traffic" },
  { name: "15k@5000", dashboards: 15_000, stalled: 0, rate: 5_000, duration: 30, servers: [...BOTH_TRANSPORTS, "floor"], purpose: "the headline target" },
  {
    name: "15k@5000 views",
    dashboards: 15_000,
    stalled: 0,
    rate: 5_000,
    duration: 30,
    views: 16,
    servers: ["pulse"],
    purpose: "the headline target with the dashboards spread over the whole site and 16 filtered views (a page or a country each)",
  },
  {
    name: "stalled",
    dashboards: 10_000,
    stalled: 500,
    rate: 1_000,
    duration: 30,
    servers: COMPARED,
    purpose: "500 dashboards that never read among 10,000 live ones",
  },
  {
    name: "ingest",
    dashboards: 0,
    stalled: 0,
    rate: 40_000,
    duration: 10,
    rounds: 5,
    servers: ["pulse", "pulse-w2", "pulse-node", "bare"],
    purpose: "ingest ceiling against a bare Bun.serve answering 202, with 2 workers on 2 cores, and on Node.js",
  },
  {
    name: "ingest views",
    dashboards: 17,
    stalled: 0,
    rate: 40_000,
    duration: 10,
    rounds: 5,
    views: 16,
    servers: ["pulse"],
    purpose: "the ingest ceiling with one dashboard on the whole site and one on each of 16 filtered views, against ingest's",
  },
  {
    name: "100k@10000",
    dashboards: 100_000,
    stalled: 0,
    rate: 10_000,
    duration: 30,
    servers: ["pulse-w6"],
    tickMs: 1000,
    purpose: "100,000 dashboards, past one process's open files: 6 workers, a 1 s tick",
  },
  {
    name: "15k widgets",
    dashboards: 0,
    stalled: 0,
    rate: 5_000,
    duration: 30,
    widgets: 15_000,
    pages: 200,
    widgetChurn: 300,
    servers: AGAINST_FLOOR,
    purpose: "15,000 live widgets over 200 pages, 2% reopened a second, beside 5,000 pageviews/s to another site, against the floor",
  },
  {
    name: "15k frames only",
    dashboards: 15_000,
    stalled: 0,
    rate: 100,
    duration: 30,
    servers: AGAINST_FLOOR,
    purpose: "15,000 dashboards with a frame every tick and little to ingest (100 pageviews/s): the cost of delivery alone, against the floor",
  },
  {
    name: "15k widgets frames only",
    dashboards: 0,
    stalled: 0,
    rate: 0,
    duration: 30,
    widgets: 15_000,
    pages: 200,
    widgetChurn: 300,
    // One run's ratio moved from 1.20× to 1.38× between two runs on this shared machine: the median of three.
    rounds: 3,
    servers: AGAINST_FLOOR,
    purpose: "15,000 live widgets, 2% reopened a second so every page's count moves each interval, nothing else: the cost of delivery alone, against the floor",
  },
  {
    ...HUNDRED_THOUSAND_WIDGETS,
    name: "100k widgets",
    purpose: "100,000 live widgets over 200 pages beside 5,000 pageviews/s to another site, 8 workers",
  },
  {
    ...HUNDRED_THOUSAND_WIDGETS,
    name: "100k widgets moving",
    widgetChurn: 100,
    purpose: "the same with 100 widgets reopened a second: every page's count moves each interval, so every widget gets a frame every 5 s",
  },
];

/** The same shapes, tiny and short: CI's smoke run (about 10 seconds of load). */
export function smoke(scenarios: Scenario[]): Scenario[] {
  return scenarios
    // 100k widgets takes nine server processes to start: 15k widgets runs the same code in the smoke.
    .filter((scenario) => scenario.name !== "idle" && !scenario.name.startsWith("100k widgets"))
    .map((scenario) => ({
      ...scenario,
      // A dashboard on each filtered view still, so that the views exist.
      dashboards: Math.max(Math.ceil(scenario.dashboards / 100), Math.min(scenario.dashboards, (scenario.views ?? -1) + 1)),
      stalled: Math.ceil(scenario.stalled / 100),
      widgets: Math.ceil((scenario.widgets ?? 0) / 100),
      widgetChurn: Math.ceil((scenario.widgetChurn ?? 0) / 100),
      pages: scenario.pages === undefined ? undefined : Math.ceil(scenario.pages / 10),
      // The end waits one interval for the counts to settle: a short one keeps the smoke short.
      liveInterval: scenario.widgets ? 1 : scenario.liveInterval,
      rate: Math.ceil(scenario.rate / 100),
      duration: 1,
      rounds: 1,
    }));
}
