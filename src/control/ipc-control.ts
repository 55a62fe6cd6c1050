/**
 * The control plane of a worker of `--workers`, over its IPC channel to the primary, whose side is
 * ipc-coordinator.ts. Paired with IpcBus on the same channel: the primary's relay sends each tick
 * in line with the batches, so the tick this node steps through comes after every batch the
 * relay forwarded before it. The primary stores the events, keeps the salts and adds up every
 * process's figures; this side follows.
 */
import type { Channel } from "../bus/ipc-bus.ts";
import { isTickMessage } from "../bus/ipc-bus.ts";
import type { PresenceSignal } from "../core/presence/presence-counts.ts";
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import { isFiguresMessage, isSaltsMessage, METRICS_INTERVAL_MS, type StartMessage, type WireFigures, type WorkerMessage } from "../cluster/messages.ts";
import { DailySalts } from "../core/ingest/visitor-id.ts";
import { Metrics } from "../core/metrics.ts";
import type { ClusterFigures, ControlPlane, Tick, TickingNode } from "./control-plane.ts";
import { sendAheadDelay } from "../core/fanout/tick-pacing.ts";

/**
 * A worker sends a little further ahead of the tick than its primary (a quarter more: the IPC hop
 * takes a millisecond), so that what it accepted is in the primary's batch, and an event accepted
 * after it waits at most that much longer than a tick.
 */
const WORKER_AHEAD_STEPS = 1.25;

/** The primary stores every event: silent this long (stopped, or wedged), it is a storage fault /healthz tells. */
export const PRIMARY_SILENT_MS = 10_000;

export interface IpcControlOptions {
  tickMs: number;
  now?: () => number;
  /** This process's memory, reported with its figures. */
  residentBytes?: () => number;
  /** The events to rebuild from and the tabs present, read from the exchange (a node joined by Redis) rather than the store. */
  history?: { events: Iterable<AcceptedEvent>; presence: readonly PresenceSignal[] };
}

export class IpcControl implements ControlPlane {
  readonly restoreThrough: number;
  readonly history: Iterable<AcceptedEvent> | undefined;
  readonly presence: readonly PresenceSignal[];
  readonly salts: DailySalts;
  private node: TickingNode | undefined;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private sendBeforeTick: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** The primary's last figures, and when it last sent anything (its figures come every second). */
  private primaryFigures: WireFigures | undefined;
  private heardAt: number;
  /** When this node last sent the primary its accepted events (or said it is alive). */
  private toldAt: number;
  private readonly now: () => number;
  private readonly residentBytes: () => number;

  constructor(
    private readonly channel: Channel,
    start: StartMessage,
    private readonly options: IpcControlOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.residentBytes = options.residentBytes ?? (() => process.memoryUsage.rss());
    this.restoreThrough = start.restoreThrough;
    this.history = options.history?.events;
    this.presence = options.history?.presence ?? start.presence;
    this.salts = new DailySalts(undefined, start.salts);
    this.heardAt = this.toldAt = this.now();
    channel.onMessage((message) => {
      this.heardAt = this.now();
      if (isTickMessage(message)) this.step({ number: message.number, time: message.time, intervalMs: message.intervalMs });
      else if (isSaltsMessage(message)) this.salts.replace(message.state);
      else if (isFiguresMessage(message)) this.primaryFigures = { snapshot: message.snapshot, residentBytes: message.residentBytes, processes: message.processes };
    });
  }

  start(node: TickingNode): void {
    this.node = node;
    this.toldAt = this.now();
    const { tickMs } = this.options;
    this.timers.push(setInterval(() => this.sendAccepted(), tickMs));
    // A flood can hold the interval back for seconds (see LoopTurns): the requests send instead.
    node.turns.onRequest((time) => {
      if (this.stopped || time - this.toldAt < 2 * tickMs) return;
      // With nothing to send (it is refusing events as overloaded), it says it is alive.
      if (!this.sendAccepted()) this.tell({ type: "alive" });
    });
    const report = setInterval(() => this.tell({ type: "metrics", snapshot: node.metrics.snapshot(), residentBytes: this.residentBytes() }), METRICS_INTERVAL_MS);
    report.unref?.();
    this.timers.push(report);
  }

  clusterFigures(): ClusterFigures | undefined {
    if (!this.node) return undefined;
    // Before the primary's first figures, this node's own, so a primary that froze at once is told too.
    const figures = this.primaryFigures ?? { snapshot: this.node.metrics.snapshot(), residentBytes: this.residentBytes(), processes: 1 };
    return clusterFigures(figures, this.now() - this.heardAt);
  }

  onLost(handler: (why: string) => void): void {
    let told = false;
    this.channel.onClose?.(() => {
      if (told) return;
      told = true;
      handler("the primary process is gone: nobody stores this worker's events");
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.sendBeforeTick);
    this.sendAccepted();
  }

  private sendAccepted(): boolean {
    this.toldAt = this.now();
    return this.node?.sendAccepted() ?? false;
  }

  /** Every node steps through the same ticks; the primary's clock waits for this one's answer. */
  private step(tick: Tick): void {
    const node = this.node;
    if (!node || this.stopped) return;
    // Ahead of the next tick, and of the primary's own sending when it speaks to Redis for this node.
    clearTimeout(this.sendBeforeTick);
    this.sendBeforeTick = setTimeout(() => this.sendAccepted(), sendAheadDelay(tick.intervalMs, WORKER_AHEAD_STEPS));
    node.step(tick).then(
      (workMs) => {
        node.metrics.recordTick(workMs / 1000, tick.intervalMs / 1000);
        this.tell({ type: "ticked", tick: tick.number, workMs });
      },
      (error: unknown) => {
        console.error("pulse: tick failed:", error);
        this.tell({ type: "ticked", tick: tick.number, workMs: 0 });
      },
    );
  }

  private tell(message: WorkerMessage): void {
    this.channel.send(message);
  }
}

/** Every process's figures as the primary last sent them, with a fault if it has been silent since. */
export function clusterFigures(figures: WireFigures, silentMs: number): ClusterFigures {
  const metrics = Metrics.combine([figures.snapshot]);
  if (silentMs >= PRIMARY_SILENT_MS && !metrics.storageFault) {
    metrics.storageFault = `the primary process has not answered for ${Math.round(silentMs / 1000)} s: events are not being stored`;
  }
  return { metrics, residentBytes: figures.residentBytes, processes: figures.processes };
}
