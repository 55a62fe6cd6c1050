/**
 * A worker process of `pulse serve --workers N`: the whole server (ingest, aggregates, ticks,
 * dashboards) on the shared port, exchanging accepted events with the other workers over the
 * IPC bus. The primary stores events and owns the salts; a worker only reads the store.
 */
import { startServer, type RunningServer } from "../app.ts";
import { IpcBus, type Channel } from "../bus/ipc-bus.ts";
import { startupFailure, type ListenAddress } from "../cli/startup-failure.ts";
import { parseConfig } from "../config.ts";
import { DailySalts } from "../core/ingest/visitor-id.ts";
import type { ClusterFigures } from "../server/http-handler.ts";
import type { Asset } from "../server/static-assets.ts";
import { openSqliteStore } from "../storage/sqlite-store.ts";
import { Metrics } from "../core/metrics.ts";
import { messageType, METRICS_INTERVAL_MS, type ClusterMetrics, type PrimaryMessage, type WorkerMessage } from "./messages.ts";

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
  let cluster: ClusterMetrics | undefined;
  const ownFigures = (): ClusterMetrics => ({ snapshot: server!.metrics.snapshot(), residentBytes: process.memoryUsage.rss(), processes: 1 });
  /** When the primary last sent anything (its figures come every second). */
  let heardAt = Date.now();

  channel.onMessage((raw) => {
    heardAt = Date.now();
    const message = raw as PrimaryMessage;
    switch (messageType(raw)) {
      case "start":
        if (message.type !== "start" || server) return;
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
        return;
      case "salts":
        if (message.type === "salts") salts?.replace(message.state);
        return;
      case "metrics":
        if (message.type === "metrics") cluster = message;
        return;
      case "exit":
        process.exit(0);
    }
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

/** The primary stores every event: silent this long (stopped, or wedged), it is a storage fault /healthz tells. */
export const PRIMARY_SILENT_MS = 10_000;

/** Every process's figures as the primary last sent them, with a fault if it has been silent since. */
export function clusterFigures(cluster: ClusterMetrics, silentMs: number): ClusterFigures {
  const metrics = Metrics.combine([cluster.snapshot]);
  if (silentMs >= PRIMARY_SILENT_MS && !metrics.storageFault) {
    metrics.storageFault = `the primary process has not answered for ${Math.round(silentMs / 1000)} s: events are not being stored`;
  }
  return { metrics, residentBytes: cluster.residentBytes, processes: cluster.processes };
}
