/**
 * The live site cap at its defaults, in process: it keeps sites out of the live figures, never
 * out of storage, and junk sites cannot keep a site with real visitors out.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { startSingleProcess, type RunningServer } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { DEFAULT_MAX_SITES } from "../../src/core/stats/hub.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { UA } from "../helpers/user-agents.ts";

const TOKEN = "cap-token-0123456789";
const TICK_MS = 20;
let server: RunningServer | undefined;
afterEach(() => server?.stop());

function start() {
  server = startSingleProcess(parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(TICK_MS)], {}), {
    files: {},
    store: createMemoryStore(),
    token: TOKEN,
  });
  const base = `http://127.0.0.1:${server.port}`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  /** `visitor` varies the User-Agent: each value is another visitor. */
  const send = (domains: string, visitor = 0) =>
    fetch(`${base}/api/event`, {
      method: "POST",
      headers: { "user-agent": `${UA.firefoxLinux} visitor/${visitor}` },
      body: JSON.stringify({ n: "pageview", u: `https://${domains.split(",")[0]}/`, d: domains }),
    });
  /** Ten requests naming ten junk domains each: the default cap is full. */
  const fillWithJunk = async () => {
    for (let request = 0; request < DEFAULT_MAX_SITES / 10; request++) {
      const domains = Array.from({ length: 10 }, (_, i) => `junk${request * 10 + i}.test`).join(",");
      expect((await send(domains)).status).toBe(202);
    }
    await Bun.sleep(3 * TICK_MS);
  };
  const exported = async (site: string) => (await (await fetch(`${base}/api/export?site=${site}`, { headers: auth })).text()).trimEnd().split("\r\n").slice(1);
  const liveVisitors = async (site: string) =>
    ((await (await fetch(`${base}/api/realtime?site=${site}`, { headers: auth })).json()) as { stats: { visitors: { last30m: number } } }).stats.visitors.last30m;
  const metrics = async () => await (await fetch(`${base}/metrics`, { headers: auth })).text();
  return { send, fillWithJunk, exported, liveVisitors, metrics };
}

const metric = (text: string, name: string) => Number(text.match(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m"))?.[1]);

describe("the live site cap (--max-sites)", () => {
  test("events for a site past the cap are stored, exported and counted as not shown, not dropped", async () => {
    const { send, fillWithJunk, exported, metrics } = start();
    await fillWithJunk();
    expect(metric(await metrics(), "pulse_sites")).toBe(DEFAULT_MAX_SITES);
    const answer = await send("myshop.example");
    expect(answer.status).toBe(202);
    expect(answer.headers.get("x-pulse-dropped")).toBeNull();
    expect(answer.headers.get("x-pulse-not-live")).toBe("site-limit");
    await Bun.sleep(3 * TICK_MS);
    expect(await exported("myshop.example")).toHaveLength(1);
    const text = await metrics();
    expect(metric(text, "pulse_events_not_shown_total")).toBe(1);
    expect(metric(text, "pulse_events_accepted_total")).toBe(DEFAULT_MAX_SITES + 1);
    expect(text).not.toContain('reason="site-limit"');
  });

  test("a site with more visitors than a junk site gets into the live figures in its place", async () => {
    const { send, fillWithJunk, liveVisitors, metrics } = start();
    await fillWithJunk();
    expect((await send("myshop.example", 1)).headers.get("x-pulse-not-live")).toBe("site-limit");
    expect((await send("myshop.example", 2)).status).toBe(202);
    await Bun.sleep(3 * TICK_MS);
    expect(await liveVisitors("myshop.example")).toBeGreaterThan(0);
    const text = await metrics();
    expect(metric(text, "pulse_sites")).toBe(DEFAULT_MAX_SITES);
    expect(metric(text, "pulse_events_not_shown_total")).toBe(1);
    expect(await liveVisitors("junk0.test")).toBe(0);
    expect((await send("myshop.example", 3)).headers.get("x-pulse-not-live")).toBeNull();
  });
});
