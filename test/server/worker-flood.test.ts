/**
 * `serve --workers 2` flooded with more requests than 2 cores answer: Bun then runs a worker's
 * timers and IPC only between bursts of requests, for seconds at a time. The workers must stay:
 * not taken for hung, every event accepted stored, none dropped on the way, and dashboards still
 * getting frames.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Report } from "../../src/loadtest/report.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
let server: ServerProcess;
beforeAll(async () => {
  // Behind a proxy, as far as the server knows: the tests name each client's address.
  server = await startServer({ args: ["--workers", "2", "--trust-proxy"], timeoutMs: 20_000 });
});
afterAll(() => server?.stop());

async function metric(name: string): Promise<number> {
  const response = await fetch(`${server.url}metrics`, { headers: { authorization: `Bearer ${server.token}` } });
  const line = (await response.text()).split("\n").find((text) => text.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}

describe("a flood of ingest at two workers", () => {
  test("no worker is taken for hung, nothing accepted is lost, and dashboards keep getting frames", async () => {
    const run = Bun.spawn(
      [
        process.execPath, "src/main.ts", "loadtest",
        "--url", server.url.replace(/\/$/, ""),
        "--token", server.token,
        "--dashboards", "20",
        // Far more than 2 shared cores answer: the generator sends as fast as it can.
        "--rate", "40000",
        "--duration", "8",
        "--markers", "0",
        "--json",
      ],
      { cwd: new URL("../../", import.meta.url).pathname, stdout: "pipe", stderr: "ignore" },
    );
    const [code, stdout] = await Promise.all([run.exited, new Response(run.stdout).text()]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(server.output()).not.toContain("killing it");
    expect(server.output()).not.toContain("drops what it accepts");
    // Everything accepted reaches the primary and is stored, once the flood has passed. (The
    // generator may stop waiting for a few answers the server still gave: it counts fewer.) The
    // workers' batches may still be on their way for seconds after it: up to 30 s.
    let stored = 0;
    let accepted = -1;
    for (let i = 0; i < 150 && (stored !== accepted || accepted < report.pageviews.accepted); i++) {
      await Bun.sleep(200);
      [stored, accepted] = [await metric("pulse_events_stored_total"), await metric("pulse_events_accepted_total")];
    }
    expect(report.pageviews.accepted).toBeGreaterThan(10_000);
    expect(accepted).toBeGreaterThanOrEqual(report.pageviews.accepted);
    expect(stored).toBe(accepted);
    expect(await metric("pulse_events_lost_total")).toBe(0);
    // Ticks went on through the flood: about one frame a second on every dashboard at least, the
    // longest a tick may stretch (MAX_TICK_MS): 8 s of ticks 1 s apart holds 7 to 9 of them. A
    // worker's turn of the loop under the flood may hold one tick past that now and then (one run
    // in four here, on 2 cores shared with the generator), so 6 passes and 5 would not.
    expect(report.frames.perDashboard![0]).toBeGreaterThanOrEqual(6);
  }, 60_000);

  test("heavy events from one address are answered 503 while the workers catch up, never 202 and then lost; a visitor elsewhere is not refused", async () => {
    const before = {
      accepted: await metric("pulse_events_accepted_total"),
      stored: await metric("pulse_events_stored_total"),
      lost: await metric("pulse_events_lost_total"),
    };
    const sites = Array.from({ length: 10 }, (_, i) => `heavy${i}.test`).join(",");
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "v".repeat(50)]));
    const statuses = new Map<number, number>();
    const visitor = new Map<number, number>();
    const until = Date.now() + 8_000;
    let next = 0;
    const post = (forwardedFor: string, body: object, userAgent: string) =>
      fetch(`${server.url}api/event`, {
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": userAgent, "x-forwarded-for": forwardedFor },
        body: JSON.stringify(body),
      }).then(async (response) => (await response.arrayBuffer(), response.status));
    const flooder = async () => {
      while (Date.now() < until) {
        const i = next++;
        const status = await post("203.0.113.66", { n: "pageview", u: `https://heavy0.test/${i}`, d: sites, p: props }, `${FIREFOX} v${i}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    // A real visitor reading pages at another address, one every 100 ms.
    const reader = async () => {
      for (let i = 0; Date.now() < until; i++) {
        const status = await post("198.51.100.7", { n: "pageview", u: `https://reader.test/${i}`, d: "reader.test" }, FIREFOX);
        visitor.set(status, (visitor.get(status) ?? 0) + 1);
        await Bun.sleep(100);
      }
    };
    await Promise.all([reader(), ...Array.from({ length: 96 }, flooder)]);
    expect([...statuses.keys()].every((status) => status === 202 || status === 503)).toBe(true);
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect([...visitor.keys()]).toEqual([202]);
    expect(server.output()).not.toContain("killing it");
    const answered = 10 * (statuses.get(202) ?? 0) + visitor.get(202)!;
    let stored = 0;
    let accepted = -1;
    // Up to 30 s: catching up usually takes about a second, over 10 s on a loaded machine when the
    // workers let more of the flood in. (Two CI runs that failed here waited in vain: the workers
    // had answered 202 to events they then dropped; see SEND_AT_EVENTS.)
    const began = Date.now();
    while (Date.now() - began < 30_000 && (accepted - before.accepted < answered || stored - before.stored < answered)) {
      await Bun.sleep(200);
      [stored, accepted] = [await metric("pulse_events_stored_total"), await metric("pulse_events_accepted_total")];
    }
    // Each 202 was counted and stored: ten events for each of the flood's, one for each of the
    // visitor's. Compared together, so that a failure shows how far each got.
    const lost = await metric("pulse_events_lost_total");
    expect({ reachedThePrimary: accepted - before.accepted, stored: stored - before.stored, lost: lost - before.lost }).toEqual({
      reachedThePrimary: answered,
      stored: answered,
      lost: 0,
    });
  }, 60_000);
});
