/**
 * What the primary and its workers tell each other over the IPC channel, besides the event
 * bus's batches (src/bus/ipc-bus.ts). The primary sends `start` before any batch, so a worker
 * rebuilds up to `restoreThrough` and every batch it then receives comes after that position.
 */
import type { MetricsSnapshot } from "../core/metrics.ts";
import type { SaltState } from "../core/ingest/visitor-id.ts";

/** How often a worker sends the primary its figures, and the primary sends everyone's back. */
export const METRICS_INTERVAL_MS = 1_000;

/** Every process's figures added up (see Metrics.combine), for /metrics at any worker. */
export interface ClusterMetrics {
  snapshot: MetricsSnapshot;
  residentBytes: number;
  processes: number;
}

export type PrimaryMessage =
  | {
      type: "start";
      id: number;
      /** The serve arguments, parsed again by the worker, and the port all workers share. */
      argv: string[];
      port: number;
      token: string;
      eventsPath: string;
      salts: SaltState;
      restoreThrough: number;
    }
  | { type: "salts"; state: SaltState }
  | ({ type: "metrics" } & ClusterMetrics)
  /** Sent after a worker said it stopped: everything it sent before has arrived. */
  | { type: "exit" };

export type WorkerMessage =
  | { type: "ready"; port: number; pid: number; restored: number }
  | { type: "failed"; message: string }
  /** It has written the last pass of tick `tick` (the clock waits for every worker). */
  | { type: "ticked"; tick: number; workMs: number }
  /** Its own figures, every second. */
  | { type: "metrics"; snapshot: MetricsSnapshot; residentBytes: number }
  /** Sent from the request path while a flood holds its timers back: it is alive, with nothing to publish. */
  | { type: "alive" }
  /** The worker has published its last batch and closed its dashboards. */
  | { type: "stopped" };

export function messageType(message: unknown): string | undefined {
  return typeof message === "object" && message !== null && typeof (message as { type?: unknown }).type === "string"
    ? (message as { type: string }).type
    : undefined;
}
