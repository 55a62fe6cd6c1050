/**
 * A worker process as the primary drives it, whatever starts it: Bun.spawn in the binary
 * (bun-worker-process.ts), node:child_process on Node.js (node-worker-process.ts). Each is started
 * as `<this program> serve-worker` with an IPC channel to the primary.
 */
export interface WorkerProcess {
  readonly pid: number;
  /** Sends over the IPC channel; nothing once the process has exited. */
  send(message: unknown): void;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The signal that ended it, once it has exited by one. */
  readonly signalCode: string | null;
}

/** Starts a worker; its IPC messages go to `onMessage`. */
export type SpawnWorker = (onMessage: (message: unknown) => void) => WorkerProcess;
