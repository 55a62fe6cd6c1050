/**
 * A worker process of `pulse serve --workers N`: the whole server (ingest, aggregates, ticks,
 * dashboards) on the shared port, exchanging accepted events with the other workers over the
 * IPC bus and paced by the primary over the same channel (IpcControl). The primary stores events
 * and owns the salts; a worker only reads the store.
 */
import { startServer, type PulseResources, type RunningServer } from "../compose.ts";
import { IpcBus, type Channel } from "../bus/ipc-bus.ts";
import { startupFailure, type ListenAddress } from "../cli/startup-failure.ts";
import { parseConfig, type Config } from "../config.ts";
import { Metrics } from "../core/metrics.ts";
import type { Asset } from "../server/static-assets.ts";
import { isExitMessage, isStartMessage, type StartMessage, type WorkerMessage } from "./messages.ts";

/** What a worker is made of, which the runtime picks (app.ts for the binary, node-main.ts for Node.js). */
export type WorkerResources = (
  config: Config,
  start: StartMessage,
  channel: Channel,
  bus: IpcBus,
  base: { files: Readonly<Record<string, Asset>>; metrics: Metrics },
) => Promise<PulseResources>;

/** How long a stopping worker waits for the primary to confirm it has everything. */
const EXIT_CONFIRM_MS = 5_000;

export function runServeWorker(files: Readonly<Record<string, Asset>>, resourcesOf: WorkerResources): void {
  const channel: Channel = {
    send: (message) => void process.send?.(message),
    onMessage: (handler) => void process.on("message", handler),
    onClose: (handler) => void process.on("disconnect", handler),
  };
  const tell = (message: WorkerMessage) => channel.send(message);
  let server: RunningServer | undefined;
  const metrics = new Metrics();
  let saidDropping = false;
  // Created first, so no batch that follows `start` finds the bus without its handler.
  const bus = new IpcBus(channel, {
    onDropped: (batch) => {
      metrics.eventsLost += batch.length;
      if (!saidDropping) console.error("pulse: the primary process is not taking events; this worker drops what it accepts until it does");
      saidDropping = true;
    },
  });
  let stopping = false;
  let starting = false;

  const start = async (message: StartMessage) => {
    let listen: ListenAddress | undefined;
    try {
      const config = { ...parseConfig(message.argv, process.env), port: message.port };
      listen = config;
      const resources = await resourcesOf(config, message, channel, bus, { files, metrics });
      // Nobody stores what this worker would accept any more.
      resources.control.onLost(() => process.exit(1));
      server = startServer(config, resources);
      tell({ type: "ready", port: server.port, pid: process.pid, restored: server.restored });
    } catch (error) {
      const line = startupFailure(error, listen);
      // A bug shows its stack here, where it happened; the primary prints the line.
      if (line === null) console.error(error);
      tell({ type: "failed", message: line ?? `worker ${message.id} could not start: ${String(error)}` });
      setTimeout(() => process.exit(2), 100);
    }
  };
  channel.onMessage((message) => {
    if (isStartMessage(message) && !starting) {
      starting = true;
      void start(message);
    }
    // The primary has everything this worker sent before it said it stopped.
    else if (isExitMessage(message)) process.exit(0);
  });

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Stopping publishes the last batch; "stopped" follows it on the same channel.
    await server?.stop();
    tell({ type: "stopped" });
    setTimeout(() => process.exit(0), EXIT_CONFIRM_MS).unref();
  };
  process.on("SIGTERM", () => void stop());
  // Ctrl-C reaches the whole process group: the primary decides, and stops the workers with SIGTERM.
  process.on("SIGINT", () => {});
}
