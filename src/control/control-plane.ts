/**
 * The coordination of the processes that serve dashboards (nodes), beside the event bus: the pace
 * of ticks, the visitor salts, the store position a node rebuilds from, and the figures of the
 * whole server. Events travel on the bus (src/bus/event-bus.ts); everything else one node needs
 * from the others travels here. Implementations come in pairs with a bus: `LocalControl` with
 * `LocalBus` (a single process, which is the whole server), `IpcControl` with `IpcBus` (a worker
 * of `--workers`, coordinated by its primary). A broker-backed pair spans machines.
 *
 * Guarantees, which every implementation keeps (test/contracts/control-plane.contract.test.ts checks each)
 * and nothing outside src/control may assume more of:
 *
 * - **One pace.** Ticks are numbered from 1 and reach a node in increasing order. A tick reaches
 *   every node after every batch its bus delivered before the tick was sent, and before any
 *   delivered after: nodes that apply the same batches turn them into the same frames at the same
 *   tick time (`Tick.time`, never a node's own clock).
 * - **Paced by the work.** The next tick waits until `step` has resolved for the last one, in
 *   every node that keeps up (within a deadline, so one stuck node holds nobody for long), and
 *   the interval stretches with the slowest step: `nextTickInterval(work, tickMs)`, within
 *   `tickMs` and `MAX_TICK_MS`. Each tick carries the interval chosen for it from the work before.
 * - **Events sent on time.** A node's accepted events reach the bus at least once per `tickMs`
 *   while it accepts any (`sendAccepted`), also while a flood holds its timers back (`turns`).
 * - **The same salts.** Every node has the same salts at every moment, tomorrow's already chosen,
 *   so all turn to a new salt at the same midnight; a salt chosen later reaches every node.
 * - **One store position.** `restoreThrough` is a position in the event store: a node rebuilds its
 *   state from the events stored through it, and every batch its bus delivers after it starts was
 *   stored after it. Every accepted event is stored once, by exactly one process: the one given
 *   an `EventWriter` at the composition (a single process; with workers, the primary). Where the
 *   exchange itself keeps the recent events (Redis), the node rebuilds from `history` instead,
 *   which holds every event delivered before its bus joined, and each node stores what it applies.
 * - **Whole figures.** `clusterFigures()` is every node's figures added up, each event counted
 *   once; undefined when this node is the whole server (its own figures are the total).
 * - **Told when alone.** `onLost` is called once if the party that stores this node's events is
 *   gone for good: the node then stops, since nothing it accepts would be kept.
 */
import type { PresenceSignal } from "../core/presence/presence-counts.ts";
import type { LoopTurns } from "../core/fanout/loop-turns.ts";
import type { Metrics } from "../core/metrics.ts";
import type { DailySalts } from "../core/ingest/visitor-id.ts";
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";

/** A tick for every node: its number, its time, and the interval until the next (stretched under heavy fan-out). */
export interface Tick {
  /** Counted from 1 by whoever keeps the pace. */
  number: number;
  time: number;
  intervalMs: number;
}

/** What a control plane drives in a node (see composePulse in src/app.ts). */
export interface TickingNode {
  /**
   * One tick: the node sends what it accepted, turns the batches received so far into frames at
   * `tick.time` and writes them; resolves with the milliseconds until the last pass was written.
   */
  step(tick: Tick): Promise<number>;
  /** The same, at once and without waiting between passes: at shutdown, so nothing stays unpublished. */
  finalStep(time: number): void;
  /** Sends the events accepted since the last call to the bus; false if there were none. */
  sendAccepted(): boolean;
  /** Requests answered stand in for timers a flood holds back (see LoopTurns). */
  readonly turns: LoopTurns;
  readonly metrics: Metrics;
}

/** Every process's figures added up, as /metrics and /healthz show them with --workers. */
export interface ClusterFigures {
  metrics: Metrics;
  residentBytes: number;
  processes: number;
}

export interface ControlPlane {
  /** The store position this node rebuilds its state through (see "One store position"). */
  readonly restoreThrough: number;
  /**
   * The tabs present (and recently gone) as of `restoreThrough`, as the signals that make them
   * again: a node started while others ran gets them, since signals are never stored. Absent
   * where there were none to get (a single process starts with no tab present).
   */
  readonly presence?: readonly PresenceSignal[];
  /**
   * The last 30 minutes of events up to where this node's bus joined, where the exchange keeps
   * them (RedisControl): rebuilt from instead of the store. Absent: rebuild from the store.
   */
  readonly history?: Iterable<AcceptedEvent>;
  /** The salts every node shares. */
  readonly salts: DailySalts;
  /** Starts driving `node`: ticks, sending accepted events, reporting figures. Called once. */
  start(node: TickingNode): void;
  clusterFigures(): ClusterFigures | undefined;
  onLost(handler: (why: string) => void): void;
  /** Stops the ticks; a node that keeps its own pace runs one last `finalStep`, a node paced by others sends what it accepted. */
  stop(): void;
}
