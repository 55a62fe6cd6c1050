/**
 * What is particular to the primary's side of the IPC control plane; its guarantees as a control
 * plane are in test/contracts/control-plane.contract.test.ts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { IpcRelay } from "../../src/bus/ipc-relay.ts";
import { IpcCoordinator } from "../../src/control/ipc-coordinator.ts";
import { DailySalts } from "../../src/core/ingest/visitor-id.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { pipe } from "../helpers/pipe.ts";
import type { StartMessage } from "../../src/cluster/messages.ts";
import { presenceEvent } from "../../src/core/presence/presence-events.ts";

let coordinator: IpcCoordinator | undefined;
afterEach(() => coordinator?.stop());

function started() {
  const store = createMemoryStore();
  // Salts never used yet: the first worker's start is the first time they are needed today.
  const salts = new DailySalts();
  coordinator = new IpcCoordinator({ tickMs: 50, retentionDays: 30, store, relay: new IpcRelay(), salts, log: () => {} });
  const { ends } = pipe();
  const heard: unknown[] = [];
  ends[1].onMessage((message) => heard.push(message));
  const ready = coordinator.join(0, ends[0], { argv: ["--tick-ms", "50"], port: 1234, token: "t", eventsPath: "/x" });
  return { worker: ends[1], heard, ready, salts, store };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("IpcCoordinator", () => {
  test("tells a worker where to start in its first message, today's salts in it, and resolves once it is ready", async () => {
    const { worker, heard, ready, salts } = started();
    await turn();
    expect(heard[0]).toMatchObject({ type: "start", id: 0, argv: ["--tick-ms", "50"], port: 1234, restoreThrough: 0, salts: salts.state() });
    expect(salts.state().day).toBe(Math.floor(Date.now() / 86_400_000));
    worker.send({ type: "ready", port: 1234, pid: 9, restored: 0 });
    expect(await ready).toEqual({ type: "ready", port: 1234, pid: 9, restored: 0 });
  });

  test("a worker started later gets the tabs of the batches before it, which are never stored", async () => {
    const { worker, store } = started();
    const time = Date.now();
    const held = presenceEvent({ time, site: "shop.test", tab: "tabAAAAAAAA", page: "/a", state: "held" });
    const gone = presenceEvent({ time, site: "shop.test", tab: "tabBBBBBBBB", page: "/b", state: "gone" });
    worker.send({ type: "batch", events: JSON.stringify([held, gone]) });
    await turn();
    const { ends } = pipe();
    const heard: unknown[] = [];
    ends[1].onMessage((message) => heard.push(message));
    void coordinator!.join(1, ends[0], { argv: [], port: 1234, token: "t", eventsPath: "/x" });
    await turn();
    expect((heard[0] as StartMessage).presence).toEqual([
      { time, site: "shop.test", tab: "tabAAAAAAAA", page: "/a", state: "held" },
      { time, site: "shop.test", tab: "tabBBBBBBBB", page: "/b", state: "gone" },
    ]);
    expect([...store.since(0)]).toHaveLength(0);
  });

  test("a worker that fails to start rejects with its message", async () => {
    const { worker, ready } = started();
    worker.send({ type: "failed", message: "port 1234 is taken" });
    await expect(ready).rejects.toThrow("port 1234 is taken");
  });

  test("a worker that says it stopped is told to exit: everything it sent came before", async () => {
    const { worker, heard } = started();
    worker.send({ type: "stopped" });
    await turn();
    expect(heard.at(-1)).toEqual({ type: "exit" });
  });
});
