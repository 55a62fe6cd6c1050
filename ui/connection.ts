/**
 * The dashboard's WebSocket: reconnects with exponential backoff and jitter, parses each message
 * once and hands ServerFrames to a callback. The socket class and timers are injected so tests
 * drive it with a fake socket and a fake clock (test/ui/connection.test.ts).
 */
import { systemTimers, type Timers } from "../src/core/timers.ts";
import { CloseCode, type ServerFrame } from "../src/core/wire/protocol.ts";
import type { RewindFrame } from "./rewind-wire.ts";

/** What a dashboard socket brings: the frames every view gets, and the answers to this page's rewinds. */
export type IncomingFrame = ServerFrame | RewindFrame;

export type ConnectionState =
  | { status: "connecting" }
  | { status: "open" }
  /** `reason`: what the server said when it closed, e.g. that a view is refused for now (1013). */
  | { status: "reconnecting"; delay: number; retryAt: number; attempt: number; reason?: string }
  | { status: "closed"; code: number; reason: string };

/** The part of the browser's WebSocket used here. */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketClass = new (url: string) => SocketLike;

export type { Timers } from "../src/core/timers.ts";

export interface ConnectionOptions {
  url: string;
  onFrame: (frame: IncomingFrame) => void;
  onState?: (state: ConnectionState) => void;
  WebSocket?: SocketClass;
  timers?: Timers;
  /** 0..1; the jitter takes up to half off each delay. */
  random?: () => number;
  /** First retry delay, doubled after each failed attempt up to maxDelay. */
  minDelay?: number;
  maxDelay?: number;
  /** An open that lasts this long resets the backoff; a server that accepts then drops keeps backing off. */
  stableAfter?: number;
  /**
   * A browser cannot see why an upgrade was refused (it reports 1006, as for a lost network).
   * After `diagnoseAfter` attempts in a row that never opened, this is asked for a reason to stop
   * retrying; null keeps trying.
   */
  diagnose?: () => Promise<string | null>;
  diagnoseAfter?: number;
}

export interface Connection {
  readonly state: ConnectionState;
  /** Sends a message on the open socket; false (nothing sent) while it is not open. */
  send(text: string): boolean;
  /** Skip the wait and retry now (e.g. when the browser comes back online). */
  retryNow(): void;
  close(): void;
}

export function connect(options: ConnectionOptions): Connection {
  const {
    url,
    onFrame,
    onState = () => {},
    WebSocket: Socket = globalThis.WebSocket,
    timers = systemTimers,
    random = Math.random,
    minDelay = 500,
    maxDelay = 10_000,
    stableAfter = 5_000,
    diagnose,
    diagnoseAfter = 3,
  } = options;

  let state: ConnectionState = { status: "connecting" };
  let socket: SocketLike | null = null;
  let failures = 0;
  /** Attempts in a row that closed without ever opening. */
  let refusals = 0;
  let retryTimer: unknown = null;
  let stableTimer: unknown = null;
  let stopped = false;

  const setState = (next: ConnectionState) => {
    state = next;
    onState(next);
  };

  const stop = (code: number, reason: string) => {
    stopped = true;
    clearTimers();
    setState({ status: "closed", code, reason });
  };

  const clearTimers = () => {
    if (retryTimer !== null) timers.clearTimeout(retryTimer);
    if (stableTimer !== null) timers.clearTimeout(stableTimer);
    retryTimer = stableTimer = null;
  };

  const open = () => {
    retryTimer = null;
    setState({ status: "connecting" });
    let ws: SocketLike;
    try {
      ws = new Socket(url);
    } catch (error) {
      // The constructor throws only for a malformed URL: retrying would throw again.
      stop(0, String(error));
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      if (socket !== ws) return;
      opened = true;
      refusals = 0;
      setState({ status: "open" });
      stableTimer = timers.setTimeout(() => {
        stableTimer = null;
        failures = 0;
      }, stableAfter);
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      const frame = parseFrame(event.data);
      if (frame) onFrame(frame);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (stableTimer !== null) timers.clearTimeout(stableTimer);
      stableTimer = null;
      if (stopped) return;
      // The server rejected what we asked for; asking again gets the same answer.
      if (FINAL_CLOSE_CODES.has(event.code)) return stop(event.code, event.reason);
      scheduleRetry(event.reason);
      if (!opened && ++refusals >= diagnoseAfter) askWhy();
    };
  };

  const askWhy = () => {
    diagnose?.().then(
      (reason) => {
        if (reason === null || stopped || state.status === "open") return;
        const ws = socket;
        socket = null;
        ws?.close();
        stop(0, reason);
      },
      () => {},
    );
  };

  const scheduleRetry = (reason = "") => {
    const base = Math.min(maxDelay, minDelay * 2 ** Math.min(failures, 30));
    const delay = Math.round(base - (random() * base) / 2);
    failures += 1;
    setState({ status: "reconnecting", delay, retryAt: timers.now() + delay, attempt: failures, ...(reason ? { reason } : {}) });
    retryTimer = timers.setTimeout(open, delay);
  };

  open();

  return {
    get state() {
      return state;
    },
    send(text) {
      if (state.status !== "open" || socket === null) return false;
      socket.send(text);
      return true;
    },
    retryNow() {
      if (state.status !== "reconnecting") return;
      clearTimers();
      open();
    },
    close() {
      if (stopped) return;
      const ws = socket;
      socket = null;
      ws?.close(1000, "dashboard closed");
      stop(1000, "dashboard closed");
    },
  };
}

const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.PolicyViolation, CloseCode.MessageTooBig]);

/** A message as a frame, or null for anything that is not one (binary, bad JSON, unknown type). */
export function parseFrame(data: unknown): IncomingFrame | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const type = (value as { type?: unknown }).type;
  return type === "snapshot" || type === "tick" || type === "sites" || type === "rewind" ? (value as IncomingFrame) : null;
}
