/**
 * A worker process of `pulse serve --workers N`: the whole server (ingest, aggregates, ticks,
 * dashboards) on the shared port, exchanging accepted events with the other workers over the
 * IPC bus. The primary stores events and owns the salts; a worker only reads the store.
 */
import { startServer, type RunningServer } from "../app.ts";
import { IpcBus, isTickMessage, type Channel } from "../bus/ipc-bus.ts";
import { startupFailure, type ListenAddress } from "../cli/startup-failure.ts";
import { parseConfig } from "../config.ts";
import { DailySalts } from "../core/ingest/visitor-id.ts";
import type { Asset } from "../server/static-assets.ts";
import { openSqliteStore } from "../storage/sqlite-store.ts";
import { clusterFigures } from "../control/ipc-control.ts";
import { isExitMessage, isFiguresMessage, isSaltsMessage, isStartMessage, METRICS_INTERVAL_MS, type WireFigures, type WorkerMessage } from "./messages.ts";

/** How long a stopping worker waits for the primary to confirm it has everything. */
const EXIT_CONFIRM_MS = 5_000;


export function runServeWorker(files: Readonly<Record<string, Asset>>): void {
  const channel: Channel = {
    send: (message) => void process.send?.(message),
    onMessage: (handler) => void process.on("message", handler),
  };
  const tell = (message: WorkerMessage) => channel.send(message);
  let server: RunningServer | undefined;
  let saidDropping = false;
  // Created first, so no batch that follows `start` finds the bus without its handler.
  const bus = new IpcBus(channel, {
    onDropped: (batch) => {
      if (server) server.metrics.eventsLost += batch.length;
      if (!saidDropping) console.error("pulse: the primary process is not taking events; this worker drops what it accepts until it does");
      saidDropping = true;
    },
  });
  let salts: DailySalts | undefined;
  let stopping = false;
  let cluster: WireFigures | undefined;
  const ownFigures = (): WireFigures => ({ snapshot: server!.metrics.snapshot(), residentBytes: process.memoryUsage.rss(), processes: 1 });
  /** When the primary last sent anything (its figures come every second). */
  let heardAt = Date.now();

  channel.onMessage((raw) => {
    heardAt = Date.now();
    if (isStartMessage(raw)) {
        const message = raw;
        if (server) return;
        let listen: ListenAddress | undefined;
        try {
          const config = { ...parseConfig(message.argv, process.env), port: message.port };
          listen = config;
          salts = new DailySalts(undefined, message.salts);
          server = startServer(config, {
            files,
            store: openSqliteStore(message.eventsPath),
            token: message.token,
            salts,
            bus,
            worker: {
              id: message.id,
              restoreThrough: message.restoreThrough,
              // Before the primary's first figures, this worker's own, so a primary that froze at once is told too.
              clusterMetrics: () => clusterFigures(cluster ?? ownFigures(), Date.now() - heardAt),
              onTicked: (tick, workMs) => tell({ type: "ticked", tick: tick.number, workMs }),
              alive: () => tell({ type: "alive" }),
              onTick: (handler) => channel.onMessage((tick) => isTickMessage(tick) && handler(tick)),
            },
          });
          const { metrics } = server;
          setInterval(() => tell({ type: "metrics", snapshot: metrics.snapshot(), residentBytes: process.memoryUsage.rss() }), METRICS_INTERVAL_MS).unref();
          tell({ type: "ready", port: server.port, pid: process.pid, restored: server.restored });
        } catch (error) {
          const line = startupFailure(error, listen);
          // A bug shows its stack here, where it happened; the primary prints the line.
          if (line === null) console.error(error);
          tell({ type: "failed", message: line ?? `worker ${message.id} could not start: ${String(error)}` });
          setTimeout(() => process.exit(2), 100);
        }
    } else if (isSaltsMessage(raw)) salts?.replace(raw.state);
    else if (isFiguresMessage(raw)) cluster = raw;
    else if (isExitMessage(raw)) process.exit(0);
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
  // The primary is gone (killed outright): nobody stores this worker's events any more.
  process.on("disconnect", () => process.exit(1));
}
