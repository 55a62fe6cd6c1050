/**
 * The event exchange between the processes that serve dashboards. Each process has its own topic
 * tree and its own aggregates, so each must see every accepted event, wherever it was accepted.
 * A process publishes the events it accepted once per tick, as one batch; every process, the
 * publisher included, applies every batch it receives to its aggregates.
 *
 * Guarantees, which every implementation keeps (test/contracts/event-bus.contract.test.ts checks
 * each) and nothing outside src/bus may assume more of (a later implementation spans machines
 * through a message broker, so peers need not be local):
 *
 * - **Everyone, the publisher too.** A batch published while a peer is subscribed reaches that
 *   peer, including the peer that published it. A process applies its own events only when they
 *   come back, so that it applies them in the same place of the stream as everybody else. Each
 *   peer is told which batches are its own, so a figure about events is counted once, by the
 *   peer that accepted them, however many peers apply them.
 * - **One order.** All peers receive the batches in the same order, and the batches of one
 *   publisher in the order it published them. So peers that apply the same batches in the same
 *   order hold the same aggregates.
 * - **One pace.** Ticks do not travel here: the control plane (src/control/control-plane.ts)
 *   sends them in line with this bus's batches, so every peer turns the same batches into the
 *   same frames at the same tick time.
 * - **At most once.** A batch is never delivered twice. A batch in flight when its publisher or
 *   the exchange dies may be lost (at most one tick of that publisher's events); no other
 *   publisher's batch is lost because one peer died.
 * - **Bounded.** What waits for a peer is bounded: a peer that stops reading (hung, not only
 *   dead) is cut off once too much waits for it, and gets nothing more; its batches in flight
 *   are lost as a dead peer's are. Nobody else waits or piles up because of it.
 * - **No history.** A peer gets only batches published after it subscribed; what came before it
 *   rebuilds from storage (up to the position its control plane gave it, `restoreThrough`).
 * - **Asynchronous.** A handler may run before `publish` returns (in one process) or much later
 *   (across processes); callers rely on neither.
 * - **Plain data.** A batch is JSON-safe: it may be serialized on its way.
 */
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";

export type Batch = readonly AcceptedEvent[];

export interface EventBus {
  /** Sends this tick's accepted events (never an empty batch: callers skip those). */
  publish(batch: Batch): void;
  /** Called with every batch, the peer's own included (`own`), in the bus's one order. */
  onBatch(handler: (batch: Batch, own: boolean) => void): void;
  /**
   * True while so much of what this peer published has not come back that it should stop taking
   * events in (answer them "try again") rather than publish more: past a bound a bus drops what is
   * published, and an event answered as accepted must not be lost that way.
   */
  congested(): boolean;
  /**
   * True once so little room is left before that bound that even what `congested` still lets in
   * could be dropped: then every event is answered "try again", whoever sends it.
   */
  full(): boolean;
  close(): void;
}
