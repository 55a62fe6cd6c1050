import { ConfigError, parseOptions, type OptionSpec } from "../cli/options.ts";
import { MAX_LOADTEST_VIEWS } from "./traffic.ts";

/** "floor": the benchmark's least server (bench/baselines/floor-server.ts), which takes Pulse's sockets and writes filler frames. */
export type Protocol = "pulse" | "naive" | "socketio" | "floor";
export const PROTOCOLS: readonly Protocol[] = ["pulse", "naive", "socketio", "floor"];

export interface LoadtestConfig {
  /** The first of `urls`: where the token is read from, and what the report names. */
  url: string;
  /** Every node of the server: dashboards, widgets and pageviews are spread over them. */
  urls: string[];
  site: string;
  dashboards: number;
  /** Dashboards that connect and then never read (to test backpressure). */
  stalled: number;
  /** Filtered views the dashboards spread over besides the whole site's (Pulse only). */
  views: number;
  rate: number;
  duration: number;
  workers: number;
  markers: number;
  connectConcurrency: number;
  token: string | null;
  data: string;
  protocol: Protocol;
  serverPid: number;
  tickMs: number;
  /** Live widget sockets to open (GET /live), spread over `pages` pages of `widgetSite`. */
  widgets: number;
  pages: number;
  widgetSite: string;
  /** Widgets closed and reopened on another page each second while the load runs. */
  widgetChurn: number;
  /** The server's --live-interval in seconds: the end waits one, plus a tick, before checking counts. */
  liveInterval: number;
  json: boolean;
}

type Key = keyof LoadtestConfig;
const env = (name: string) => [`PULSE_LOADTEST_${name}`];

export const LOADTEST_OPTIONS: Array<OptionSpec<Key>> = [
  {
    flag: "url",
    key: "urls",
    kind: "origins",
    env: env("URL"),
    default: ["http://localhost:3000"],
    help: "the server to test; several (repeated, or comma-separated) for nodes of one cluster: dashboards, widgets, pageviews and markers are spread over them",
  },
  { flag: "site", key: "site", kind: "sites", env: env("SITE"), default: ["bench.test"], help: "the site the dashboards watch and the pageviews go to" },
  { flag: "dashboards", key: "dashboards", kind: "integer", env: env("DASHBOARDS"), default: 1000, min: 0, max: 1_000_000, help: "dashboard sockets to open" },
  { flag: "stalled", key: "stalled", kind: "integer", env: env("STALLED"), default: 0, min: 0, max: 100_000, help: "more dashboards that connect and never read" },
  {
    flag: "views",
    key: "views",
    kind: "integer",
    env: env("VIEWS"),
    default: 0,
    max: MAX_LOADTEST_VIEWS,
    help: "filtered views the dashboards spread over besides the whole site's, each a page or a country the pageviews send (pulse only)",
  },
  { flag: "rate", key: "rate", kind: "number", env: env("RATE"), default: 100, min: 0, max: 1_000_000, help: "pageviews per second" },
  { flag: "duration", key: "duration", kind: "number", env: env("DURATION"), default: 30, min: 1, max: 86_400, help: "seconds of load after every dashboard connected" },
  {
    flag: "workers",
    key: "workers",
    kind: "integer",
    env: env("WORKERS"),
    default: 0,
    max: 256,
    help: "processes holding dashboards (0: one per 10,000); each stays under the open-file limit. Pageviews come from separate processes, one per 4,000/s",
  },
  { flag: "markers", key: "markers", kind: "integer", env: env("MARKERS"), default: 20, max: 1000, help: "sockets watching the marker site that measures latency" },
  { flag: "connect-concurrency", key: "connectConcurrency", kind: "integer", env: env("CONNECT_CONCURRENCY"), default: 200, min: 1, max: 10_000, help: "connection attempts in flight per worker" },
  { flag: "token", key: "token", kind: "token", env: ["PULSE_TOKEN"], default: null, help: "the server's access token (default: read from --data when the server is local)" },
  { flag: "data", key: "data", kind: "string", env: ["PULSE_DATA"], default: "./pulse-data", help: "a local server's data directory, to read its token" },
  { flag: "protocol", key: "protocol", kind: "string", env: env("PROTOCOL"), default: "pulse", help: "what the server speaks: pulse, naive or socketio (the benchmark baselines)" },
  { flag: "server-pid", key: "serverPid", kind: "integer", env: env("SERVER_PID"), default: 0, help: "a local server's process id, for its RSS and CPU (default: found by port)" },
  { flag: "tick-ms", key: "tickMs", kind: "integer", env: env("TICK_MS"), default: 250, min: 1, help: "the server's tick, for the latency target in the report" },
  { flag: "widgets", key: "widgets", kind: "integer", env: env("WIDGETS"), default: 0, min: 0, max: 1_000_000, help: "live-widget sockets to open (GET /live), spread over --pages pages of --widget-site; the server needs --live-site for it" },
  { flag: "pages", key: "pages", kind: "integer", env: env("PAGES"), default: 10, min: 1, max: 1000, help: "pages the widgets spread over, each its own count" },
  { flag: "widget-site", key: "widgetSite", kind: "sites", env: env("WIDGET_SITE"), default: ["widgets.bench.test"], help: "the site the widgets are on (never the pageviews' --site, so the counts are only the widgets')" },
  { flag: "widget-churn", key: "widgetChurn", kind: "number", env: env("WIDGET_CHURN"), default: 0, min: 0, max: 100_000, help: "widgets closed and reopened on a random page each second, so counts change and frames flow" },
  { flag: "live-interval", key: "liveInterval", kind: "number", env: env("LIVE_INTERVAL"), default: 5, min: 0.1, max: 3600, help: "the server's --live-interval (seconds): the end waits one and a tick before checking every widget's count" },
  { flag: "json", key: "json", kind: "boolean", env: env("JSON"), default: false, help: "print the report as one JSON object" },
];

export function parseLoadtestConfig(argv: readonly string[], variables: Readonly<Record<string, string | undefined>>): Readonly<LoadtestConfig> {
  const options = parseOptions(LOADTEST_OPTIONS, argv, variables) as unknown as LoadtestConfig & { site: string[]; widgetSite: string[] };
  if (options.urls.some((url) => !url.startsWith("http"))) throw new ConfigError("--url must be an http(s) URL like http://localhost:3000");
  if (options.site.length !== 1) throw new ConfigError("--site takes one site");
  if (options.widgetSite.length !== 1) throw new ConfigError("--widget-site takes one site");
  // Pageviews on the widgets' site would add tabs the load test did not open: the counts could not be checked.
  if (options.widgets > 0 && options.widgetSite[0] === options.site[0]) throw new ConfigError("--widget-site must differ from --site, whose pageviews would change the widgets' counts");
  if (options.widgets > 0 && options.protocol !== "pulse" && options.protocol !== "floor") throw new ConfigError("--widgets needs --protocol pulse (or floor): the other baselines have no widgets");
  if (!PROTOCOLS.includes(options.protocol)) throw new ConfigError(`--protocol must be one of ${PROTOCOLS.join(", ")}, not ${JSON.stringify(options.protocol)}`);
  if (options.views > 0 && options.protocol !== "pulse") throw new ConfigError("--views needs --protocol pulse: the baselines have no filtered views");
  return Object.freeze({ ...options, url: options.urls[0]!, site: options.site[0]!, widgetSite: options.widgetSite[0]! });
}
