/**
 * `pulse loadtest` end to end, small: a real server, a few hundred dashboards, a few seconds.
 * (This is also the benchmark's smoke run in CI; the full benchmark is `npm run bench`.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Report } from "../../src/loadtest/report.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ args: ["--tick-ms", "100"] });
});
afterAll(() => server?.stop());

function loadtest(args: string[]) {
  return Bun.spawn([process.execPath, "src/main.ts", "loadtest", ...args], { cwd: new URL("../../", import.meta.url).pathname, stdout: "pipe", stderr: "pipe" });
}

describe("pulse loadtest", () => {
  test("opens the dashboards, sends the pageviews, measures latency and reports it as JSON", async () => {
    const run = loadtest([
      "--url", server.url.replace(/\/$/, ""),
      "--token", server.token,
      "--dashboards", "300",
      "--rate", "100",
      "--duration", "3",
      "--workers", "2",
      "--tick-ms", "100",
      "--json",
    ]);
    const [code, stdout, stderr] = await Promise.all([run.exited, new Response(run.stdout).text(), new Response(run.stderr).text()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    // Two processes hold the dashboards; one more sends the pageviews.
    expect(report.workers).toBe(3);
    expect(report.connect).toMatchObject({ ok: 300, failed: 0 });
    expect(report.dropped).toBe(0);
    expect(report.pageviews.sent).toBeGreaterThan(250);
    expect(report.pageviews.accepted).toBe(report.pageviews.sent);
    expect(report.pageviews.httpErrors).toEqual({});
    // Every dashboard got frames, and none missed a tick.
    expect(report.frames.perDashboard![0]).toBeGreaterThan(5);
    expect(report.frames.gaps).toBe(0);
    expect(report.latency.samples).toBeGreaterThan(20);
    expect(report.latency.p99Ms).toBeGreaterThan(0);
    expect(report.server?.pids).toEqual([server.child.pid]);
    expect(report.server!.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    // The progress line went to stderr.
    expect(stderr).toContain("connected 300/300");
  }, 30_000);

  test("--views spreads the dashboards over filtered views, each of which the pageviews reach", async () => {
    const run = loadtest([
      "--url", server.url.replace(/\/$/, ""),
      "--token", server.token,
      "--site", "views.bench.test",
      "--dashboards", "34",
      "--views", "16",
      "--rate", "200",
      "--duration", "2",
      "--workers", "1",
      "--tick-ms", "100",
      "--json",
    ]);
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.connect).toMatchObject({ ok: 34, failed: 0 });
    // Every view, the narrowest included, got frames of its own, in sequence (a refused view would have closed its sockets).
    expect(report.dropped).toBe(0);
    expect(report.frames.perDashboard![0]).toBeGreaterThan(3);
    expect(report.frames.gaps).toBe(0);
  }, 30_000);

  test("--views needs Pulse's protocol", async () => {
    const run = loadtest(["--views", "2", "--protocol", "naive", "--duration", "1"]);
    expect(await run.exited).toBe(2);
    expect((await new Response(run.stderr).text()).trim()).toBe("pulse: --views needs --protocol pulse: the baselines have no filtered views");
  });

  test("a Pulse server without a token is a clear error", async () => {
    const run = loadtest(["--url", "http://127.0.0.1:9", "--data", "/nonexistent", "--duration", "1"]);
    expect(await run.exited).toBe(1);
    expect(await new Response(run.stderr).text()).toContain("needs its access token");
  });

  test("bad options exit with code 2 and one line", async () => {
    const run = loadtest(["--dashboards", "many"]);
    expect(await run.exited).toBe(2);
    expect((await new Response(run.stderr).text()).trim()).toBe('pulse: --dashboards must be a whole number, not "many"');
  });
});

describe("pulse loadtest --widgets", () => {
  let widgetServer: ServerProcess;
  beforeAll(async () => {
    widgetServer = await startServer({ args: ["--tick-ms", "100", "--workers", "1", "--live-site", "widgets.bench.test", "--max-widgets-per-ip", "0", "--live-interval", "0.5"] });
  });
  afterAll(() => widgetServer?.stop());

  const widgetRun = (extra: string[]) =>
    loadtest([
      "--url", widgetServer.url.replace(/\/$/, ""),
      "--token", widgetServer.token,
      "--dashboards", "0",
      "--markers", "0",
      "--widgets", "120",
      "--pages", "7",
      "--rate", "50",
      "--duration", "2",
      "--tick-ms", "100",
      "--live-interval", "0.5",
      "--json",
      ...extra,
    ]);

  test("opens widgets over the pages and workers; every widget's last count is the widgets open on its page", async () => {
    const run = widgetRun(["--workers", "1"]);
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.widgets).toMatchObject({ requested: 120, open: 120, failed: 0, dropped: 0, churned: 0, pages: 7 });
    expect(report.widgets!.connect.p99Ms).toBeGreaterThan(0);
    // Each widget got its first count (a page's 17 or 18 widgets), a few bytes each.
    expect(report.widgets!.frames.received).toBeGreaterThanOrEqual(120);
    expect(report.widgets!.frames.meanBytes).toBeLessThan(4);
    expect(report.widgets!.counts).toMatchObject({ correct: 120, open: 120, wrong: [] });
    expect(report.pageviews.accepted).toBe(report.pageviews.sent);
    expect(report.server!.rssPerSocketBytes).toBeGreaterThan(0);
    // The load starts once the counts have settled: with no churn, none moves during it.
    expect(report.widgets!.frames.perSecond).toBe(0);
    expect(report.cpuPerFrame).toBeNull();
  }, 30_000);

  test("churn closes and reopens widgets each second, so counts change and frames flow during the load", async () => {
    const run = widgetRun(["--widget-churn", "30"]);
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.widgets!.churned).toBeGreaterThanOrEqual(40);
    expect(report.widgets!.open).toBe(120);
    expect(report.widgets!.frames.perSecond).toBeGreaterThan(20);
    expect(report.widgets!.counts!.open).toBe(120);
    expect(report.cpuPerFrame).toMatchObject({ dashboardsUs: null, frames: { dashboards: 0 } });
    expect(report.cpuPerFrame!.widgetsUs).toBeGreaterThan(0);
  }, 30_000);

  test("a server that refuses widgets is told clearly what to change", async () => {
    const run = loadtest(["--url", server.url.replace(/\/$/, ""), "--token", server.token, "--dashboards", "0", "--widgets", "10", "--duration", "1"]);
    expect(await run.exited).toBe(1);
    expect(await new Response(run.stderr).text()).toContain("403 Forbidden {\"error\":\"live widget not enabled for this site\"}): start the server with --live-site widgets.bench.test");
  });
});
