import { selfCommand } from "../cli/self-command.ts";
import type { SpawnWorker } from "./worker-process.ts";

/** Workers of the Bun binary (or of `bun src/main.ts`): this program again, with Bun's IPC. */
export const spawnBunWorker: SpawnWorker = (onMessage) => {
  const child = Bun.spawn([...selfCommand(), "serve-worker"], { stdin: "ignore", stdout: "inherit", stderr: "inherit", ipc: onMessage });
  return {
    pid: child.pid,
    send: (message) => {
      if (child.exitCode === null && child.signalCode === null) child.send(message);
    },
    kill: (signal) => child.kill(signal),
    exited: child.exited.then(() => child.exitCode),
    get signalCode() {
      return child.signalCode === null ? null : String(child.signalCode);
    },
  };
};
