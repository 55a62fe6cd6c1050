import { spawn } from "node:child_process";
import type { SpawnWorker } from "./worker-process.ts";

/** Workers on Node.js: `node <entry> serve-worker`, with Node's IPC channel. */
export function nodeWorkers(entry: string): SpawnWorker {
  return (onMessage) => {
    const child = spawn(process.execPath, [...process.execArgv, entry, "serve-worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", onMessage);
    // A worker that dies mid-send must not take the primary with it.
    child.on("error", () => {});
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return {
      pid: child.pid ?? -1,
      send: (message) => {
        if (child.exitCode === null && child.signalCode === null && child.connected) child.send(message as object, () => {});
      },
      kill: (signal) => void child.kill(signal),
      exited,
      get signalCode() {
        return child.signalCode;
      },
    };
  };
}
