/**
 * What is particular to a worker's control plane over IPC; its guarantees as a control plane are
 * in test/contracts/control-plane.contract.test.ts.
 */
import { describe, expect, spyOn, test } from "bun:test";
import type { Channel } from "../../src/bus/ipc-bus.ts";
import type { StartMessage } from "../../src/cluster/messages.ts";
import { IpcControl } from "../../src/control/ipc-control.ts";
import { DailySalts } from "../../src/core/ingest/visitor-id.ts";
import { Metrics } from "../../src/core/metrics.ts";
import { recordingNode } from "../helpers/ticking-node.ts";

const TICK_MS = 100;

function primary() {
  const sent: unknown[] = [];
  let receive: (message: unknown) => void = () => {};
  const channel: Channel = { send: (message) => void sent.push(message), onMessage: (handler) => void (receive = handler) };
  const salts = new DailySalts();
  salts.at(Date.now());
  const start: StartMessage = { type: "start", id: 1, argv: [], port: 0, token: "t", eventsPath: "", salts: salts.state(), restoreThrough: 7, presence: [] };
  let time = 1_000_000;
  const control = new IpcControl(channel, start, { tickMs: TICK_MS, now: () => time, residentBytes: () => 42 });
  return { control, sent, receive: (message: unknown) => receive(message), later: (ms: number) => (time += ms), now: () => time };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("IpcControl", () => {
  test("answers each tick with `ticked` once its step is written, and records the tick", async () => {
    const { control, sent, receive } = primary();
    const node = recordingNode(() => 30);
    control.start(node);
    receive({ type: "tick", number: 4, time: 5, intervalMs: 250 });
    await turn();
    expect(node.ticks).toEqual([{ number: 4, time: 5, intervalMs: 250 }]);
    expect(sent).toContainEqual({ type: "ticked", tick: 4, workMs: 30 });
    expect(node.metrics.snapshot().tickIntervalSeconds).toBe(0.25);
    control.stop();
  });

  test("a step that fails is logged and still answered, so the primary's clock does not wait for it", async () => {
    const { control, sent, receive } = primary();
    const errors = spyOn(console, "error").mockImplementation(() => {});
    control.start({ ...recordingNode(), step: () => Promise.reject(new Error("boom")) });
    receive({ type: "tick", number: 1, time: 0, intervalMs: TICK_MS });
    await turn();
    expect(sent).toContainEqual({ type: "ticked", tick: 1, workMs: 0 });
    expect(errors.mock.calls[0]?.[0]).toBe("pulse: tick failed:");
    errors.mockRestore();
    control.stop();
  });

  test("a request answered while the timers are held back sends what was accepted, or says it is alive", () => {
    const { control, sent, later, now } = primary();
    let accepted = true;
    let sends = 0;
    const node = { ...recordingNode(), sendAccepted: () => (sends++, accepted) };
    control.start(node);
    later(2 * TICK_MS - 1);
    node.turns.request(now());
    expect(sends).toBe(0);
    later(1);
    node.turns.request(now());
    // It sent a batch (on the bus): no need to say more.
    expect(sends).toBe(1);
    expect(sent).toEqual([]);
    accepted = false;
    later(2 * TICK_MS);
    node.turns.request(now());
    expect(sends).toBe(2);
    expect(sent).toEqual([{ type: "alive" }]);
    control.stop();
  });

  test("its figures are its own until the primary's come; the primary's salts replace its own", () => {
    const { control, receive } = primary();
    const node = recordingNode();
    node.metrics.framesPublished = 3;
    expect(control.clusterFigures()).toBeUndefined();
    control.start(node);
    expect(control.clusterFigures()).toMatchObject({ processes: 1, residentBytes: 42 });
    expect(control.clusterFigures()!.metrics.framesPublished).toBe(3);
    const everyone = new Metrics();
    everyone.framesPublished = 9;
    receive({ type: "metrics", snapshot: everyone.snapshot(), residentBytes: 100, processes: 3 });
    expect(control.clusterFigures()).toMatchObject({ processes: 3, residentBytes: 100 });
    expect(control.clusterFigures()!.metrics.framesPublished).toBe(9);
    const tomorrow = new DailySalts();
    tomorrow.at(Date.now() + 86_400_000);
    receive({ type: "salts", state: tomorrow.state() });
    expect(control.salts.state()).toEqual(tomorrow.state());
    control.stop();
  });

  test("a message that is not what it says is ignored", async () => {
    const { control, sent, receive } = primary();
    const node = recordingNode();
    control.start(node);
    receive({ type: "tick", number: "1" });
    receive({ type: "salts", state: null });
    receive({ type: "metrics", snapshot: null });
    await turn();
    expect(node.ticks).toEqual([]);
    expect(sent).toEqual([]);
    control.stop();
  });
});
