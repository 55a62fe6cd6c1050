/**
 * The control plane of a single process, which is the whole server: it keeps its own pace with a
 * timer, owns its salts, stores its own events (so it rebuilds from everything stored), and its
 * own figures are the total. Paired with LocalBus, which hands every batch back at once.
 */
import { nextTickInterval } from "../core/fanout/tick-pacing.ts";
import type { DailySalts } from "../core/ingest/visitor-id.ts";
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import { systemTimers, type Timers } from "../core/timers.ts";
import type { ClusterFigures, ControlPlane, TickingNode } from "./control-plane.ts";

export interface LocalControlOptions {
  tickMs: number;
  salts: DailySalts;
  /** The store's last position when the process starts (EventStore.lastPosition()). */
  storePosition: number;
  /** The events to rebuild from, read before start from a store read asynchronously (PostgreSQL); absent: from the store. */
  history?: Iterable<AcceptedEvent>;
  /** The clock and timers (tests move time by hand). */
  timers?: Timers;
}

export class LocalControl implements ControlPlane {
  readonly restoreThrough: number;
  readonly history: Iterable<AcceptedEvent> | undefined;
  readonly salts: DailySalts;
  private loop: TickLoop | undefined;
  private node: TickingNode | undefined;
  private readonly timers: Timers;

  constructor(private readonly options: LocalControlOptions) {
    this.restoreThrough = options.storePosition;
    this.history = options.history;
    this.salts = options.salts;
    this.timers = options.timers ?? systemTimers;
  }

  start(node: TickingNode): void {
    this.node = node;
    this.loop = startTickLoop(this.options.tickMs, node, this.timers);
  }

  clusterFigures(): ClusterFigures | undefined {
    return undefined;
  }

  /** Never: this process stores its own events. */
  onLost(_handler: (why: string) => void): void {}

  stop(): void {
    if (!this.loop) return;
    this.loop.stop();
    this.loop = undefined;
    this.node?.finalStep(this.timers.now());
  }
}

interface TickLoop {
  stop(): void;
}

/**
 * Runs `node.step` every interval. The interval is measured from the start of the previous tick,
 * so a slow tick shortens the wait instead of drifting; the work is timed until the last pass is
 * written, so pacing sees the fan-out, not just the publish calls. A tick whose timer is a whole
 * interval late (a flood holds timers back) runs from the next request answered.
 */
export function startTickLoop(tickMs: number, node: TickingNode, timers: Timers = systemTimers): TickLoop {
  const now = () => timers.now();
  let timer: unknown;
  let stopped = false;
  let running = false;
  let number = 0;
  let intervalMs = tickMs;
  /** When the timer should fire. */
  let dueAt = 0;

  const run = async () => {
    running = true;
    let workMs = 0;
    try {
      workMs = await node.step({ number: ++number, time: now(), intervalMs });
    } catch (error) {
      console.error("pulse: tick failed:", error);
    }
    intervalMs = nextTickInterval(workMs, tickMs);
    node.metrics.recordTick(workMs / 1000, intervalMs / 1000);
    running = false;
    if (!stopped) schedule(Math.max(0, intervalMs - workMs));
  };
  const schedule = (delay: number) => {
    dueAt = now() + delay;
    timer = timers.setTimeout(run, delay);
  };
  schedule(tickMs);
  node.turns.onRequest((time) => {
    if (running || stopped || time - dueAt < tickMs) return;
    timers.clearTimeout(timer);
    void run();
  });

  return {
    stop() {
      stopped = true;
      timers.clearTimeout(timer);
    },
  };
}
