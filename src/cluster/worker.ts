/**
 * A worker process of `pulse serve --workers N`: the whole server (ingest, aggregates, ticks,
 * dashboards) on the shared port, exchanging accepted events with the other workers over the
 * IPC bus. The primary stores events and owns the salts; a worker only reads the store.
 */
import { startServer, type RunningServer } from "../app.ts";
import type { Tick } from "../bus/event-bus.ts";
import type { ClusterFigures, ControlPlane } from "../control/control-plane.ts";
import { BunTransport } from "../server/bun-server.ts";
import { IpcBus, type Channel } from "../bus/ipc-bus.ts";
import { startupFailure, type ListenAddress } from "../cli/startup-failure.ts";
import { parseConfig } from "../config.ts";
import { DailySalts } from "../core/ingest/visitor-id.ts";
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
  const workerMetrics = new Metrics();
  let saidDropping = false;
  // Created first, so no batch that follows `start` finds the bus without its handler.
  const bus = new IpcBus(channel, {
    onDropped: (batch) => {
      workerMetrics.eventsLost += batch.length;
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
          const control = primaryControl(bus, config.tickMs, {
            restoreThrough: message.restoreThrough,
            salts,
            // Before the primary's first figures, this worker's own, so a primary that froze at once is told too.
            clusterFigures: () => clusterFigures(cluster ?? ownFigures(), Date.now() - heardAt),
            ticked: (tick, workMs) => tell({ type: "ticked", tick: tick.number, workMs }),
            alive: () => tell({ type: "alive" }),
          });
          server = startServer(config, {
            files,
            store: openSqliteStore(message.eventsPath),
            token: message.token,
            bus,
            control,
            transport: new BunTransport(),
            metrics: workerMetrics,
            workerId: message.id,
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

interface PrimaryLink {
  restoreThrough: number;
  salts: DailySalts;
  clusterFigures: () => ClusterFigures;
  ticked: (tick: Tick, workMs: number) => void;
  alive: () => void;
}

/**
 * The primary's pace: a worker sends what it accepted every --tick-ms, and ticks when the bus
 * says: every worker then turns the same batches into the same frames at the same time.
 */
function primaryControl(bus: IpcBus, tickMs: number, link: PrimaryLink): ControlPlane {
  let sending: ReturnType<typeof setInterval> | undefined;
  let node: Parameters<ControlPlane["start"]>[0] | undefined;
  /** When this worker last told the primary anything. */
  let toldAt = Date.now();
  const send = () => {
    toldAt = Date.now();
    return node!.sendAccepted();
  };
  return {
    restoreThrough: link.restoreThrough,
    salts: link.salts,
    start(ticking) {
      node = ticking;
      sending = setInterval(send, tickMs);
      // A flood can hold the interval back for seconds (see LoopTurns): the requests send instead.
      ticking.turns.onRequest((time) => {
        if (time - toldAt < 2 * tickMs) return;
        // With nothing to send (it is refusing events as overloaded), it says it is alive.
        if (!send()) link.alive();
      });
      bus.onTick((tick) => {
        ticking.step(tick).then(
          (workMs) => {
            ticking.metrics.recordTick(workMs / 1000, tick.intervalMs / 1000);
            link.ticked(tick, workMs);
          },
          (error: unknown) => {
            console.error("pulse: tick failed:", error);
            link.ticked(tick, 0);
          },
        );
      });
    },
    clusterFigures: link.clusterFigures,
    onLost() {},
    stop() {
      clearInterval(sending);
      if (node) send();
    },
  };
}
