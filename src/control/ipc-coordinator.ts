/**
 * The primary's side of IpcControl (ipc-control.ts): the party that stores the events and keeps
 * the pace for every worker. It stores each batch as the relay forwards it, tells each worker
 * where to rebuild from, sends ticks through the relay in line with the batches (ClusterClock),
 * keeps the salts everyone shares, and adds up every process's figures (ClusterTally). Starting,
 * restarting and killing the worker processes is the supervisor's (src/cluster/primary.ts).
 */
import type { Channel } from "../bus/ipc-bus.ts";
import type { IpcRelay } from "../bus/ipc-relay.ts";
import { ClusterClock } from "../cluster/cluster-clock.ts";
import { ClusterTally } from "../cluster/cluster-tally.ts";
import {
  followWorker,
  METRICS_INTERVAL_MS,
  type PrimaryMessage,
  type ReadyMessage,
  type StartMessage,
} from "../cluster/messages.ts";
import type { DailySalts } from "../core/ingest/visitor-id.ts";
import { Metrics } from "../core/metrics.ts";
import { Presence } from "../core/presence/presence.ts";
import { applyPresence } from "../core/presence/presence-events.ts";
import { systemTimers, type Timers } from "../core/timers.ts";
import type { EventStore } from "../storage/event-store.ts";
import { startRetention } from "../storage/retention.ts";
import { WriteBuffer } from "../storage/write-buffer.ts";

const SALT_CHECK_MS = 10_000;

export interface IpcCoordinatorOptions {
  tickMs: number;
  retentionDays: number;
  store: EventStore;
  /** The bus's primary side: ticks go through it, in line with the batches. */
  relay: IpcRelay;
  salts: DailySalts;
  /** Asked about a worker silent with a tick unfinished: true if it is still at work (then it is not hung yet). */
  stillWorking?: (worker: number) => boolean;
  /** Told once about a worker that has stopped answering: its supervisor kills and restarts it. */
  onHung?: (worker: number) => void;
  log?: (line: string) => void;
  /** The clock and timers of the pace (tests move time by hand). */
  timers?: Timers;
}

/** What a worker is told at start besides what the coordinator decides (its store position and salts). */
export type WorkerStart = Omit<StartMessage, "type" | "id" | "salts" | "restoreThrough" | "presence">;

export class IpcCoordinator {
  /** The primary's own figures: storage, and the events accepted as they arrive. */
  readonly metrics = new Metrics();
  private readonly tally = new ClusterTally(this.metrics);
  private readonly writes: WriteBuffer;
  /** Every batch's tabs, as each worker holds them: what a worker started later is given. */
  private readonly presence = new Presence();
  private readonly clock: ClusterClock;
  private readonly workers = new Map<Channel, number>();
  private readonly intervals: Array<ReturnType<typeof setInterval>>;
  private readonly unsubscribeSalts: () => void;
  private readonly retention: { stop(): void };
  private readonly timers: Timers;

  constructor(private readonly options: IpcCoordinatorOptions) {
    const { store, relay, salts } = options;
    this.timers = options.timers ?? systemTimers;
    this.writes = new WriteBuffer(store, this.metrics, options.log);
    store.onDamagedChunk(() => this.metrics.damagedChunks++);
    // Stored before it is forwarded: a worker started after a store position gets every later batch.
    relay.onBatch((batch, from) => {
      let events = 0;
      for (const event of batch) {
        // Presence signals ride the bus but are not events: neither stored nor counted. The
        // primary keeps the presence too, for the workers it starts later.
        if (applyPresence(this.presence, event)) continue;
        this.writes.add(event);
        events++;
      }
      this.tally.batch(this.workers.get(from) ?? -1, events);
      this.writes.flush();
    });
    this.intervals = [
      // /metrics at any worker shows everyone's figures (see ClusterTally).
      setInterval(() => {
        // Events held while storage fails are retried with each batch, and here when no batch comes.
        if (this.writes.size > 0) this.writes.flush();
        this.broadcast({ type: "metrics", ...this.tally.totals() });
      }, METRICS_INTERVAL_MS),
      // Tomorrow's salt is in every worker's hands; after midnight, the day after's goes out.
      setInterval(() => salts.at(this.timers.now()), SALT_CHECK_MS),
    ];
    this.unsubscribeSalts = salts.onChange((state) => this.broadcast({ type: "salts", state }));
    this.retention = startRetention(store, options.retentionDays);
    this.clock = new ClusterClock(options.tickMs, (tick) => {
      // Tabs expire at the tick times the workers expire them at.
      this.presence.advance(tick.time);
      relay.tick(tick);
    }, {
      ...(options.stillWorking ? { stillWorking: options.stillWorking } : {}),
      ...(options.onHung ? { onHung: options.onHung } : {}),
      timers: this.timers,
    });
    this.clock.start();
  }

  /**
   * Starts worker `id` on `channel`: it is told where to rebuild from, then gets every batch and
   * tick. Resolves when it is ready; rejects if it says it failed.
   */
  join(id: number, channel: Channel, start: WorkerStart): Promise<ReadyMessage> {
    const { relay, store, salts } = this.options;
    // A new day's salts go to the others now, and to this one in `start`: its first message.
    salts.at(this.timers.now());
    this.workers.set(channel, id);
    this.tally.started(id);
    relay.listen(channel);
    // The order matters: what is stored now is what the worker rebuilds from; every batch
    // forwarded after `start` is one stored after it.
    this.writes.flush();
    channel.send({
      type: "start",
      id,
      ...start,
      salts: salts.state(),
      restoreThrough: store.lastPosition(),
      // As of the same moment: every batch forwarded after this is applied after it.
      presence: this.presence.signalsNow(),
    } satisfies PrimaryMessage);
    relay.attach(channel);
    return followWorker(channel, {
      heard: () => this.clock.heard(id),
      ticked: (tick, workMs) => this.clock.done(id, tick, workMs),
      report: (report) => this.tally.report(id, report),
      ready: () => this.clock.join(id),
    });
  }

  /** Worker `id` is gone. Returns how many events it accepted that never arrived, as far as its last report shows. */
  leave(id: number, channel: Channel): number {
    this.workers.delete(channel);
    this.options.relay.detach(channel);
    this.clock.leave(id);
    return this.tally.retire(id);
  }

  /** Stops the ticks and the timers; the store stays open for the workers' last batches. */
  stop(): void {
    this.clock.stop();
    for (const interval of this.intervals) clearInterval(interval);
    this.unsubscribeSalts();
    this.retention.stop();
  }

  /** Once the workers are gone: stores what is left and closes the store. */
  close(): void {
    this.writes.close();
    this.options.store.close();
  }

  private broadcast(message: PrimaryMessage): void {
    for (const channel of this.workers.keys()) channel.send(message);
  }
}
