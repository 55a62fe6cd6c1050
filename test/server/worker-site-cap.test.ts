/**
 * The site cap and its figures in one worker of several, in process: the bus is held in the
 * test's hands, so a batch comes back exactly when the test says, as over IPC it comes back a
 * little later than it was sent.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { singleProcessResources, startServer, type RunningServer } from "../../src/app.ts";
import type { Batch, EventBus } from "../../src/bus/event-bus.ts";
import { parseConfig } from "../../src/config.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { storedEvent } from "../helpers/stored-events.ts";
import { HandControl } from "../helpers/hand-control.ts";
import { UA } from "../helpers/user-agents.ts";

const TICK_MS = 50;

/** A bus whose batches go nowhere until `deliver` hands one to the handlers. */
class HeldBus implements EventBus {
  readonly published: Batch[] = [];
  private readonly handlers: Array<(batch: Batch, own: boolean) => void> = [];
  publish(batch: Batch): void {
    this.published.push(batch);
  }
  onBatch(handler: (batch: Batch, own: boolean) => void): void {
    this.handlers.push(handler);
  }
  congested(): boolean {
    return false;
  }
  full(): boolean {
    return false;
  }
  close(): void {}
  deliver(batch: Batch, own: boolean): void {
    for (const handler of this.handlers) handler(batch, own);
  }
}

let server: RunningServer | undefined;
afterEach(() => server?.stop());

function startWorker(maxSites: number) {
  const bus = new HeldBus();
  const config = parseConfig(["--port", "0", "--host", "127.0.0.1", "--tick-ms", String(TICK_MS), "--max-sites", String(maxSites)], {});
  // A worker: its events go out on the bus and come back when the test says; another process stores them.
  const { writer: _, ...local } = singleProcessResources(config, { files: {}, store: createMemoryStore(), token: "cap-token-0123456789" });
  // Paced by a primary that does not tick here: the hub holds exactly what the bus delivered.
  const control = new HandControl(0);
  server = startServer(config, { ...local, bus, control, workerId: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  /** Why the event, accepted and sent on, may not be live (x-pulse-not-live), or null when it is. */
  const send = async (site: string): Promise<string | null> => {
    const response = await fetch(`${base}/api/event`, {
      method: "POST",
      headers: { "user-agent": UA.chromeWindows },
      body: JSON.stringify({ n: "pageview", u: `https://${site}/`, d: site }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-pulse-dropped")).toBeNull();
    return response.headers.get("x-pulse-not-live");
  };
  /** What the worker sends of what it accepted, as it does every --tick-ms. */
  const sent = async (): Promise<Batch> => {
    control.sendAccepted();
    return bus.published.splice(0).flat();
  };
  return { bus, send, sent, metrics: server.metrics };
}

const sites = (batch: Batch) => batch.map((event) => event.site);

describe("a worker's site cap", () => {
  test("sites it let in stay counted against the cap until their batch has come back", async () => {
    const { bus, send, sent } = startWorker(2);
    expect(await send("a.test")).toBeNull();
    expect(await send("b.test")).toBeNull();
    const first = await sent();
    expect(sites(first)).toEqual(["a.test", "b.test"]);
    // Sent, not yet back: the cap is full all the same.
    expect(await send("c.test")).toBe("site-limit");
    bus.deliver(first, true);
    expect(await send("c.test")).toBe("site-limit");
    expect(await send("a.test")).toBeNull();
    // Past the cap or not, every event goes on to be stored.
    expect(sites(await sent())).toEqual(["c.test", "c.test", "a.test"]);
  });

  test("events kept out by the cap are counted once, by the worker that accepted them", async () => {
    const { bus, send, sent, metrics } = startWorker(2);
    expect(await send("mine1.test")).toBeNull();
    expect(await send("mine2.test")).toBeNull();
    const mine = await sent();
    // Another worker's new sites arrive first and take both places.
    bus.deliver([storedEvent({ site: "theirs1.test" }), storedEvent({ site: "theirs2.test" })], false);
    bus.deliver(mine, true);
    expect(metrics.eventsNotShown).toBe(2);
    // Another worker's event kept out is that worker's to count.
    bus.deliver([storedEvent({ site: "theirs3.test" })], false);
    expect(metrics.eventsNotShown).toBe(2);
    // Its own sites came back (kept out): they no longer hold places, and the hub is full.
    expect(await send("mine3.test")).toBe("site-limit");
    bus.deliver(await sent(), true);
    expect(metrics.eventsNotShown).toBe(3);
    expect(metrics.eventsAccepted).toBe(3);
  });
});
