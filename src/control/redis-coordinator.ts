/**
 * The primary's side of a node of workers joined by Redis (`--redis` with `--workers N`): the
 * workers exchange with their primary over IPC as on one box, and the primary alone speaks to
 * Redis, crossing the network once per tick for the whole node. It gathers what its workers
 * accepted and publishes it as one batch (remembering whose events are where, so each worker is
 * told which come back as its own), sends every batch the stream delivers on to every worker in the
 * stream's order, steps the workers through every tick of the cluster's pace in line with them,
 * and answers the tick once they have all written it (within a deadline). It stores what the stream
 * delivers in the node's own store unless the nodes share a database; it tells each worker it
 * starts where to rebuild from: the stream, through the last entry sent on before.
 */
import type { Channel } from "../bus/ipc-bus.ts";
import type { IpcRelay } from "../bus/ipc-relay.ts";
import type { RedisBus } from "../bus/redis-bus.ts";
import type { Batch } from "../bus/event-bus.ts";
import { ClusterTally } from "../cluster/cluster-tally.ts";
import {
  followWorker,
  METRICS_INTERVAL_MS,
  type PrimaryMessage,
  type ReadyMessage,
} from "../cluster/messages.ts";
import { LoopTurns } from "../core/fanout/loop-turns.ts";
import { MAX_TICK_MS } from "../core/fanout/tick-pacing.ts";
import { HUNG_AFTER_MS, SILENT_WORK_MS } from "../cluster/cluster-clock.ts";
import { Metrics } from "../core/metrics.ts";
import type { EventStore } from "../storage/event-store.ts";
import { startRetention } from "../storage/retention.ts";
import type { StreamArchiver } from "../storage/stream-archiver.ts";
import { WriteBuffer } from "../storage/write-buffer.ts";
import type { Tick, TickingNode } from "./control-plane.ts";
import type { WorkerStart } from "./ipc-coordinator.ts";
import type { RedisControl } from "./redis-control.ts";

export interface RedisCoordinatorOptions {
  bus: RedisBus;
  control: RedisControl;
  /** The relay to the workers, made with `forward: false`. */
  relay: IpcRelay;
  /** The node's own store, when the nodes share no database: every event the stream delivers is written to it. */
  store?: EventStore;
  /** Stores each event once in the database the nodes share, while this node holds the archive's lease. */
  archiver?: StreamArchiver;
  retentionDays: number;
  /** Where the primary counts (the exchange's skipped and lost entries count here too). */
  metrics?: Metrics;
  /** Asked about a worker silent with a tick unanswered: true if it is still at work (then it is not hung yet). */
  stillWorking?: (worker: number) => boolean;
  /** Told once about a worker that has stopped answering: its supervisor kills and restarts it. */
  onHung?: (worker: number) => void;
  log?: (line: string) => void;
}

interface Part {
  worker: Channel;
  count: number;
}

export class RedisCoordinator {
  /** The primary's own figures: storage, the exchange, and the events accepted as they arrive. */
  readonly metrics: Metrics;
  private readonly tally: ClusterTally;
  private readonly writes: WriteBuffer | undefined;
  private readonly workers = new Map<Channel, number>();
  /** Ready workers: when each last said anything, and since when it has left a tick unanswered. */
  private readonly ready = new Map<number, { heardAt: number; behindSince: number | undefined }>();
  /** What the workers sent since the last publish, in arrival order. */
  private gathered: Array<{ worker: Channel; batch: Batch }> = [];
  /** Whose events each batch this node published holds, oldest first: they come back in that order. */
  private readonly published: Part[][] = [];
  private answers: { tick: number; waiting: Set<number>; slowestMs: number; done: (workMs: number) => void } | undefined;
  private readonly intervals: Array<ReturnType<typeof setInterval>>;
  private readonly retention: { stop(): void } | undefined;
  private lastSalts = "";

  constructor(private readonly options: RedisCoordinatorOptions) {
    const { bus, control, relay, store } = options;
    this.metrics = options.metrics ?? new Metrics();
    this.tally = new ClusterTally(this.metrics);
    this.writes = store ? new WriteBuffer(store, this.metrics, options.log) : undefined;
    if (store) store.onDamagedChunk(() => this.metrics.damagedChunks++);
    relay.onBatch((batch, worker) => {
      this.gathered.push({ worker, batch });
      this.tally.batch(this.workers.get(worker) ?? -1, batch.filter((event) => event.presence === undefined).length);
    });
    bus.onBatch((batch, own) => this.deliver(batch, own));
    const tally = this.tally;
    const node: TickingNode = {
      step: (tick) => this.step(tick),
      finalStep: () => void this.sendAccepted(),
      sendAccepted: () => this.sendAccepted(),
      turns: new LoopTurns(),
      // What this node reports to the others: its workers' figures and its own, as one.
      get metrics() {
        return Metrics.combine([tally.totals().snapshot]);
      },
    };
    control.start(node);
    options.archiver?.start();
    this.intervals = [
      setInterval(() => {
        if (this.writes && this.writes.size > 0) this.writes.flush();
        this.tellWorkers();
      }, METRICS_INTERVAL_MS),
    ];
    this.retention = store ? startRetention(store, options.retentionDays) : undefined;
  }

  /** What this node's processes take together, and how many they are, reported to the other nodes with its figures. */
  residentBytes(): number {
    return this.tally.totals().residentBytes;
  }

  processes(): number {
    return this.tally.totals().processes;
  }

  /** Starts worker `id` on `channel`; resolves when it is ready, rejects if it says it failed. */
  join(id: number, channel: Channel, start: WorkerStart): Promise<ReadyMessage> {
    const { relay, store, control, bus } = this.options;
    this.workers.set(channel, id);
    this.tally.started(id);
    relay.listen(channel);
    this.writes?.flush();
    channel.send({
      type: "start",
      id,
      ...start,
      salts: control.salts.state(),
      restoreThrough: store?.lastPosition() ?? 0,
      presence: [],
      // Every batch sent on after this message was read after this entry.
      history: { stream: bus.key, through: bus.position },
    } satisfies PrimaryMessage);
    relay.attach(channel);
    return followWorker(channel, {
      heard: () => {
        const member = this.ready.get(id);
        if (member) member.heardAt = Date.now();
      },
      ticked: (tick, workMs) => this.answered(id, tick, workMs),
      report: (report) => this.tally.report(id, report),
      ready: () => void this.ready.set(id, { heardAt: Date.now(), behindSince: undefined }),
    });
  }

  /** Worker `id` is gone. Returns how many events it accepted that never arrived, as far as its last report shows. */
  leave(id: number, channel: Channel): number {
    this.workers.delete(channel);
    this.ready.delete(id);
    this.options.relay.detach(channel);
    this.answered(id, this.answers?.tick ?? 0, 0);
    return this.tally.retire(id);
  }

  /** Stops taking part in the pace; what the workers send while they stop still goes out. */
  stop(): void {
    for (const interval of this.intervals) clearInterval(interval);
    this.retention?.stop();
  }

  /** Once the workers are gone: publishes their last events, stores what is left, leaves Redis. */
  async close(): Promise<void> {
    this.sendAccepted();
    this.options.control.stop();
    await this.options.archiver?.stop();
    // Their way to Redis and back: a moment, for the last batches to be stored with the rest.
    await Bun.sleep(200);
    this.writes?.close();
    this.options.bus.close();
    this.options.store?.close();
  }

  private sendAccepted(): boolean {
    if (this.gathered.length === 0) return false;
    const parts: Part[] = this.gathered.map(({ worker, batch }) => ({ worker, count: batch.length }));
    const batch = this.gathered.flatMap(({ batch: events }) => events);
    this.gathered = [];
    const { bus } = this.options;
    // A batch the bus refuses (Redis away too long) never comes back: it is not waited for.
    const dropped = bus.droppedBatches;
    bus.publish(batch);
    if (bus.droppedBatches === dropped) this.published.push(parts);
    return true;
  }

  /** A batch in the stream's order: on to every worker (its own parts to each publisher), and into the node's store. */
  private deliver(batch: Batch, own: boolean): void {
    const { relay } = this.options;
    const parts = own ? this.published.shift() : undefined;
    if (parts) {
      let at = 0;
      for (const { worker, count } of parts) {
        relay.broadcast(batch.slice(at, at + count), this.workers.has(worker) ? worker : undefined);
        at += count;
      }
    } else relay.broadcast(batch);
    if (this.writes) {
      for (const event of batch) if (event.presence === undefined) this.writes.add(event);
      this.writes.flush();
    }
  }

  /**
   * One tick of the cluster: every ready worker steps through it; resolves with the slowest's work,
   * within the deadline. As ClusterClock does on one box, only a worker that answered the last tick
   * is waited for (one behind catches up first), and one silent and behind for HUNG_AFTER_MS is hung.
   */
  private step(tick: Tick): Promise<number> {
    this.options.relay.tick(tick);
    this.answers?.done(MAX_TICK_MS);
    const now = Date.now();
    const waiting = new Set<number>();
    for (const [id, member] of this.ready) {
      if (member.behindSince === undefined) {
        waiting.add(id);
        member.behindSince = now;
      } else if (now - member.behindSince >= HUNG_AFTER_MS && now - member.heardAt >= HUNG_AFTER_MS) {
        if (now - member.heardAt < SILENT_WORK_MS && this.options.stillWorking?.(id)) continue;
        this.ready.delete(id);
        this.options.onHung?.(id);
      }
    }
    if (waiting.size === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const deadline = setTimeout(() => finish(MAX_TICK_MS), MAX_TICK_MS);
      const finish = (workMs: number) => {
        clearTimeout(deadline);
        if (this.answers?.tick === tick.number) this.answers = undefined;
        resolve(workMs);
      };
      this.answers = { tick: tick.number, waiting, slowestMs: 0, done: finish };
    });
  }

  private answered(worker: number, tick: number, workMs: number): void {
    const member = this.ready.get(worker);
    // The current tick answered: it is not behind. An earlier one: it is catching up.
    if (member && tick === this.answers?.tick) member.behindSince = undefined;
    else if (member && this.answers === undefined) member.behindSince = undefined;
    const answers = this.answers;
    if (!answers || answers.tick !== tick) return;
    answers.waiting.delete(worker);
    answers.slowestMs = Math.max(answers.slowestMs, workMs);
    if (answers.waiting.size === 0) answers.done(answers.slowestMs);
  }

  /** Every second: the whole cluster's figures, and the salts when Redis brought new ones. */
  private tellWorkers(): void {
    const { control } = this.options;
    const figures = control.clusterFigures();
    const salts = JSON.stringify(control.salts.state());
    for (const channel of this.workers.keys()) {
      if (figures) channel.send({ type: "metrics", snapshot: figures.metrics.snapshot(), residentBytes: figures.residentBytes, processes: figures.processes } satisfies PrimaryMessage);
      if (salts !== this.lastSalts) channel.send({ type: "salts", state: control.salts.state() } satisfies PrimaryMessage);
    }
    this.lastSalts = salts;
  }
}
