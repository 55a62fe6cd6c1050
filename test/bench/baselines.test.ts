/**
 * Smoke test of the benchmark baselines (bench/baselines/): each runs as its own process on port 0,
 * real dashboards connect over raw WebSockets, and pageviews must reach exactly their own site's
 * dashboards, in order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { connectSocketIo } from "../../bench/baselines/engine-io-client.ts";

const BASELINES = new URL("../../bench/baselines/", import.meta.url).pathname;

interface Baseline {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  stop(): Promise<void>;
}

/** Starts `command --port 0` on loopback and resolves with the port its first line names. */
async function startBaseline(command: string[], timeoutMs = 5000): Promise<Baseline> {
  const child = Bun.spawn([...command, "--port", "0", "--host", "127.0.0.1"], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const stop = () => stopChild(child);
  try {
    const reader = child.stdout.getReader();
    const firstLine = (async () => {
      let text = "";
      const decoder = new TextDecoder();
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`${command.join(" ")} exited before printing its port: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
      // Keep draining, so a chatty server never blocks on a full pipe.
      void (async () => {
        while (!(await reader.read()).done);
      })();
      return text.slice(0, text.indexOf("\n"));
    })();
    const timeout = Bun.sleep(timeoutMs).then(() => {
      throw new Error(`${command.join(" ")} printed no port within ${timeoutMs} ms`);
    });
    const line = await Promise.race([firstLine, timeout]);
    const port = /^listening on (\d+)$/.exec(line)?.[1];
    if (!port) throw new Error(`unexpected first line: ${line}`);
    return { origin: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function stopChild(child: Subprocess): Promise<void> {
  child.kill("SIGTERM");
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(2000).then(() => false)]);
  if (!exited) {
    child.kill("SIGKILL");
    await child.exited;
  }
}

interface Received {
  p: string;
  n: string;
  t: number;
}

interface Dashboard {
  received: Received[];
  close(): void;
}

type Connect = (origin: string, site: string) => Promise<Dashboard>;

const socketIoDashboard: Connect = async (origin, site) => {
  const client = await connectSocketIo(`${origin.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket&site=${site}`);
  const received: Received[] = [];
  client.onEvent((name, data) => {
    if (name === "pageview") received.push(data as Received);
  });
  return { received, close: () => client.close() };
};

const naiveDashboard: Connect = async (origin, site) => {
  const socket = new WebSocket(`${origin.replace("http", "ws")}/ws?site=${site}`);
  const received: Received[] = [];
  socket.addEventListener("message", ({ data }) => {
    const frame = JSON.parse(String(data)) as Received & { type: string };
    if (frame.type === "event") received.push({ p: frame.p, n: frame.n, t: frame.t });
  });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", () => reject(new Error(`could not open the dashboard for ${site}`)));
  });
  return { received, close: () => socket.close() };
};

function post(origin: string, body: string): Promise<Response> {
  return fetch(`${origin}/api/event`, { method: "POST", body });
}

async function waitUntil(done: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

const fanOutServers: [string, string[], Connect][] = [
  ["socketio-server.mjs (Node + Socket.IO)", ["node", `${BASELINES}socketio-server.mjs`], socketIoDashboard],
  ["naive-bun-server.ts", [process.execPath, `${BASELINES}naive-bun-server.ts`], naiveDashboard],
];

describe.each(fanOutServers)("%s", (_name, command, connect) => {
  let server: Baseline;
  beforeAll(async () => {
    server = await startBaseline(command);
  });
  afterAll(() => server?.stop());

  test("answers 400 to a bad body and stays up", async () => {
    expect((await post(server.origin, "{not json")).status).toBe(400);
    expect((await post(server.origin, '{"n":"pageview"}')).status).toBe(400);
    expect((await post(server.origin, '{"n":"pageview","u":"not a url"}')).status).toBe(400);
    const ok = await post(server.origin, '{"n":"pageview","u":"https://c.test/"}');
    expect(ok.status).toBe(202);
    expect(await ok.text()).toBe("ok");
  });

  test("sends each pageview to every dashboard of its site, in order, and to no other", async () => {
    const dashboards = await Promise.all([connect(server.origin, "a.test"), connect(server.origin, "a.test"), connect(server.origin, "b.test")]);
    const [a1, a2, b] = dashboards as [Dashboard, Dashboard, Dashboard];
    try {
      const before = Date.now();
      const bodies = [
        '{"name":"pageview","url":"https://a.test/one"}', // long keys, domain from the URL
        '{"n":"pageview","u":"https://www.a.test/two?q=1","d":"a.test"}', // short keys, explicit domain
        '{"name":"pageview","url":"https://b.test/b-only","domain":"b.test"}',
        '{"n":"Signup","u":"https://a.test/three"}',
      ];
      // One at a time: the order of the answers is the order the dashboards must see.
      for (const body of bodies) expect((await post(server.origin, body)).status).toBe(202);

      await waitUntil(() => a1.received.length >= 3 && a2.received.length >= 3 && b.received.length >= 1, "the pageviews");
      // Anything extra (a duplicate, another site's pageview) would have arrived by now.
      await Bun.sleep(100);
      for (const a of [a1, a2]) {
        expect(a.received.map(({ p, n }) => [p, n])).toEqual([
          ["/one", "pageview"],
          ["/two", "pageview"],
          ["/three", "Signup"],
        ]);
      }
      expect(b.received.map(({ p }) => p)).toEqual(["/b-only"]);
      for (const { t } of [...a1.received, ...b.received]) {
        expect(t).toBeGreaterThanOrEqual(before);
        expect(t).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      for (const dashboard of dashboards) dashboard.close();
    }
  });
});

describe("bare-202-server.ts", () => {
  let server: Baseline;
  beforeAll(async () => {
    server = await startBaseline([process.execPath, `${BASELINES}bare-202-server.ts`]);
  });
  afterAll(() => server?.stop());

  test("answers 202 ok", async () => {
    const response = await post(server.origin, '{"n":"pageview","u":"https://a.test/"}');
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("ok");
    expect((await post(server.origin, "{not json")).status).toBe(202);
  });
});

describe("floor-server.ts", () => {
  let server: Baseline;
  beforeAll(async () => {
    const command = [process.execPath, `${BASELINES}floor-server.ts`, "--tick-ms", "50", "--live-interval", "0.2", "--frame-bytes", "100", "--widget-frame-bytes", "3"];
    server = await startBaseline(command);
  });
  afterAll(() => server?.stop());

  async function frames(path: string): Promise<{ received: string[]; close(): void }> {
    const socket = new WebSocket(`${server.origin.replace("http", "ws")}${path}`);
    const received: string[] = [];
    socket.addEventListener("message", ({ data }) => received.push(String(data)));
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", () => reject(new Error(`could not open ${path}`)));
    });
    return { received, close: () => socket.close() };
  }

  test("answers pageviews 202 and keeps nothing", async () => {
    expect((await post(server.origin, '{"n":"pageview","u":"https://a.test/"}')).status).toBe(202);
  });

  test("writes a frame of the given size to each dashboard every tick, and to each widget every interval", async () => {
    const dashboard = await frames("/ws?site=a.test");
    const widgets = await Promise.all([frames("/live?site=w.test&page=/x"), frames("/live?site=w.test&page=/y")]);
    try {
      await Bun.sleep(700);
      // The first frame at open, then one a tick (50 ms) or an interval (200 ms).
      expect(dashboard.received.length).toBeGreaterThanOrEqual(8);
      expect(new Set(dashboard.received.map((frame) => frame.length))).toEqual(new Set([100]));
      for (const widget of widgets) {
        expect(widget.received.length).toBeGreaterThanOrEqual(3);
        expect(widget.received.length).toBeLessThanOrEqual(5);
        expect(new Set(widget.received.map((frame) => frame.length))).toEqual(new Set([3]));
      }
    } finally {
      dashboard.close();
      for (const widget of widgets) widget.close();
    }
  });
});
