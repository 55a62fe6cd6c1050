/**
 * What the primary and its workers tell each other over the IPC channel, besides the event
 * bus's batches and ticks (src/bus/ipc-bus.ts). The primary sends `start` before any batch, so a
 * worker rebuilds up to `restoreThrough` and every batch it then receives comes after that position.
 *
 * A message arrives as `unknown` from another process: each has a guard that checks its fields,
 * so a handler reads only what was really sent.
 */
import type { Channel } from "../bus/ipc-bus.ts";
import type { ClusterFigures } from "../control/control-plane.ts";
import type { MetricsSnapshot } from "../core/metrics.ts";
import type { SaltState } from "../core/ingest/visitor-id.ts";
import type { PresenceSignal } from "../core/presence/presence-counts.ts";

/** How often a worker sends the primary its figures, and the primary sends everyone's back. */
export const METRICS_INTERVAL_MS = 1_000;

/** ClusterFigures as they travel: the figures as a plain snapshot (see Metrics.combine). */
export type WireFigures = Omit<ClusterFigures, "metrics"> & { snapshot: MetricsSnapshot };

export interface StartMessage {
  type: "start";
  id: number;
  /** The serve arguments, parsed again by the worker, and the port all workers share. */
  argv: string[];
  port: number;
  token: string;
  eventsPath: string;
  salts: SaltState;
  restoreThrough: number;
  /** The tabs as of `restoreThrough` (see ControlPlane.presence). */
  presence: PresenceSignal[];
  /**
   * A node joined by Redis: the worker rebuilds from the exchange's stream through this entry (the
   * last the primary sent on before this message), not from the store, and the tabs with it.
   */
  history?: { stream: string; through: string };
}
/** The primary's salts changed (a new day): tomorrow's is in it. */
export interface SaltsMessage {
  type: "salts";
  state: SaltState;
}
/** Every process's figures added up, every second. */
export type FiguresMessage = { type: "metrics" } & WireFigures;
/** Sent after a worker said it stopped: everything it sent before has arrived. */
export interface ExitMessage {
  type: "exit";
}
export type PrimaryMessage = StartMessage | SaltsMessage | FiguresMessage | ExitMessage;

export interface ReadyMessage {
  type: "ready";
  port: number;
  pid: number;
  restored: number;
}
export interface FailedMessage {
  type: "failed";
  message: string;
}
/** It has written the last pass of tick `tick` (the clock waits for every worker). */
export interface TickedMessage {
  type: "ticked";
  tick: number;
  workMs: number;
}
/** Its own figures, every second. */
export interface ReportMessage {
  type: "metrics";
  snapshot: MetricsSnapshot;
  residentBytes: number;
}
/** Sent from the request path while a flood holds its timers back: it is alive, with nothing to publish. */
export interface AliveMessage {
  type: "alive";
}
/** The worker has published its last batch and closed its dashboards. */
export interface StoppedMessage {
  type: "stopped";
}
export type WorkerMessage = ReadyMessage | FailedMessage | TickedMessage | ReportMessage | AliveMessage | StoppedMessage;

type Fields = Record<string, unknown>;
const ofType = (message: unknown, type: string): message is Fields =>
  typeof message === "object" && message !== null && (message as Fields).type === type;
const numbers = (message: Fields, ...keys: string[]) => keys.every((key) => typeof message[key] === "number");
const isObject = (value: unknown) => typeof value === "object" && value !== null;
const isSaltState = (value: unknown): value is SaltState =>
  isObject(value) && typeof (value as Fields).day === "number" && typeof (value as Fields).current === "string";

export const isStartMessage = (message: unknown): message is StartMessage =>
  ofType(message, "start") &&
  numbers(message, "id", "port", "restoreThrough") &&
  Array.isArray(message.argv) &&
  message.argv.every((arg) => typeof arg === "string") &&
  typeof message.token === "string" &&
  typeof message.eventsPath === "string" &&
  isSaltState(message.salts) &&
  Array.isArray(message.presence);
export const isSaltsMessage = (message: unknown): message is SaltsMessage => ofType(message, "salts") && isSaltState(message.state);
export const isFiguresMessage = (message: unknown): message is FiguresMessage =>
  ofType(message, "metrics") && isObject(message.snapshot) && numbers(message, "residentBytes", "processes");
export const isExitMessage = (message: unknown): message is ExitMessage => ofType(message, "exit");

export const isReadyMessage = (message: unknown): message is ReadyMessage => ofType(message, "ready") && numbers(message, "port", "pid", "restored");
export const isFailedMessage = (message: unknown): message is FailedMessage => ofType(message, "failed") && typeof message.message === "string";
export const isTickedMessage = (message: unknown): message is TickedMessage => ofType(message, "ticked") && numbers(message, "tick", "workMs");
export const isReportMessage = (message: unknown): message is ReportMessage =>
  ofType(message, "metrics") && isObject(message.snapshot) && numbers(message, "residentBytes");
export const isAliveMessage = (message: unknown): message is AliveMessage => ofType(message, "alive");
export const isStoppedMessage = (message: unknown): message is StoppedMessage => ofType(message, "stopped");

/** What a primary does with what a worker tells it. */
export interface WorkerListener {
  /** Anything at all came from it. */
  heard?(): void;
  ticked(tick: number, workMs: number): void;
  report(report: ReportMessage): void;
  ready(): void;
}

/** Follows what a worker tells its primary; resolves once it is ready, rejects if it says it failed. */
export function followWorker(channel: Channel, listener: WorkerListener): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    channel.onMessage((message) => {
      listener.heard?.();
      if (isTickedMessage(message)) listener.ticked(message.tick, message.workMs);
      else if (isReportMessage(message)) listener.report(message);
      else if (isReadyMessage(message)) {
        listener.ready();
        resolve(message);
      } else if (isFailedMessage(message)) reject(new Error(message.message));
      // Everything it sent came before this: it may go.
      else if (isStoppedMessage(message)) channel.send({ type: "exit" } satisfies PrimaryMessage);
    });
  });
}
