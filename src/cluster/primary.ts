/**
 * The primary process of `pulse serve --workers N`: it serves nothing itself. It starts N worker
 * processes on one port (SO_REUSEPORT), relays every batch of accepted events to all of them in
 * one order, stores each event exactly once, owns the visitor salts, prunes old events, and
 * restarts a worker that dies (its dashboards reconnect to the others meanwhile). A worker that
 * stops answering (silent for seconds, or leaving too much unread) is killed and restarted the
 * same way.
 */
import type { Subprocess } from "bun";
import type { Channel } from "../bus/ipc-bus.ts";
import { IpcRelay } from "../bus/ipc-relay.ts";
import type { Config } from "../config.ts";
import { Metrics } from "../core/metrics.ts";
import { DailySalts } from "../core/ingest/visitor-id.ts";
import type { EventStore } from "../storage/event-store.ts";
import { startRetention } from "../storage/retention.ts";
import { WriteBuffer } from "../storage/write-buffer.ts";
import { ClusterClock } from "./cluster-clock.ts";
import { ProcessActivity } from "./process-activity.ts";
import { ClusterTally } from "./cluster-tally.ts";
import { messageType, METRICS_INTERVAL_MS, type PrimaryMessage, type WorkerMessage } from "./messages.ts";

/** A dead worker is replaced after this long, doubling while it keeps dying young, up to the maximum. */
const RESTART_DELAY_MS = 200;
const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that lived this long was healthy: its next restart is quick again. */
const HEALTHY_AFTER_MS = 10_000;
const SALT_CHECK_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface PrimaryOptions {
  config: Config;
  /** The serve arguments, handed to each worker. */
  argv: string[];
  /** How to start this program again (the binary, or bun and the entry file). */
  self: string[];
  store: EventStore;
  eventsPath: string;
  token: string;
  salts: DailySalts;
  log?: (line: string) => void;
}

export interface RunningPrimary {
  port: number;
  restored: number;
  pids(): number[];
  stop(): Promise<void>;
}

/** Starts the workers; resolves once all are serving. Rejects (and stops them) if the first cannot start. */
export async function startPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  const { config, store, salts } = options;
  const log = options.log ?? ((line) => console.error(line));
  const metrics = new Metrics();
  const tally = new ClusterTally(metrics);
  const writes = new WriteBuffer(store, metrics, log);
  const workers: Array<{ child: Subprocess; channel: Channel; pid: number; stopped: Promise<void>; killed?: true } | undefined> = [];
  let port = config.port;
  let stopping = false;
  const restartDelays = new Array<number>(config.workers).fill(RESTART_DELAY_MS);
  const idOf = (channel: Channel) => workers.findIndex((worker) => worker?.channel === channel);
  /** A worker alive but not answering holds the connections the kernel hands it: it goes, and is restarted as if it had died. */
  const kill = (id: number, why: string) => {
    const worker = workers[id];
    if (!worker || worker.killed || stopping) return;
    worker.killed = true;
    log(`pulse: worker ${id} (pid ${worker.pid}) ${why}; killing it`);
    worker.child.kill("SIGKILL");
  };

  store.onDamagedChunk(() => metrics.damagedChunks++);
  const activity = new ProcessActivity();
  const relay = new IpcRelay({
    stillWorking: (channel) => {
      const worker = workers[idOf(channel)];
      return worker !== undefined && activity.working(worker.pid);
    },
    onOverfull: (channel, chars) => kill(idOf(channel), `has left ${Math.round(chars / 2 ** 20)} MB of events unread`),
  });
  // Stored before it is forwarded: a worker started after a store position gets every later batch.
  relay.onBatch((batch, from) => {
    tally.batch(idOf(from), batch.length);
    for (const event of batch) writes.add(event);
    writes.flush();
  });

  const broadcast = (message: PrimaryMessage) => {
    for (const worker of workers) worker?.channel.send(message);
  };
  // /metrics at any worker shows everyone's figures (see ClusterTally).
  const metricsTimer = setInterval(() => {
    // Events held while storage fails are retried with each batch, and here when no batch comes.
    if (writes.size > 0) writes.flush();
    broadcast({ type: "metrics", ...tally.totals() });
  }, METRICS_INTERVAL_MS);
  // Tomorrow's salt is in every worker's hands; after midnight, the day after's goes out.
  const saltCheck = setInterval(() => salts.at(Date.now()), SALT_CHECK_MS);
  const unsubscribeSalts = salts.onChange((state) => broadcast({ type: "salts", state }));
  const retention = startRetention(store, config.retentionDays);

  const clock = new ClusterClock(config.tickMs, (tick) => relay.tick(tick), {
    stillWorking: (id) => {
      const worker = workers[id];
      return worker !== undefined && activity.working(worker.pid);
    },
    onHung: (id) => kill(id, "has not answered for seconds"),
  });
  clock.start();

  const start = (id: number): Promise<WorkerMessage & { type: "ready" }> => {
    const handlers: Array<(message: unknown) => void> = [];
    const child = Bun.spawn([...options.self, "serve-worker"], {
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
      ipc: (message) => {
        for (const handler of handlers) handler(message);
      },
    });
    const channel: Channel = {
      send: (message) => {
        if (child.exitCode === null && child.signalCode === null) child.send(message);
      },
      onMessage: (handler) => void handlers.push(handler),
    };
    let stoppedSignal: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (stoppedSignal = resolve));
    workers[id] = { child, channel, pid: child.pid, stopped };
    tally.started(id);
    const startedAt = Date.now();

    relay.listen(channel);
    // The order matters: what is stored now is what the worker rebuilds from; every batch
    // forwarded after `start` is one stored after it.
    writes.flush();
    channel.send({
      type: "start",
      id,
      argv: options.argv,
      port,
      token: options.token,
      eventsPath: options.eventsPath,
      salts: (salts.at(Date.now()), salts.state()),
      restoreThrough: store.lastPosition(),
    } satisfies PrimaryMessage);
    relay.attach(channel);

    const ready = new Promise<WorkerMessage & { type: "ready" }>((resolve, reject) => {
      channel.onMessage((raw) => {
        const message = raw as WorkerMessage;
        clock.heard(id);
        switch (messageType(raw)) {
          case "ready":
            if (message.type !== "ready") return;
            clock.join(id);
            resolve(message);
            return;
          case "ticked":
            if (message.type !== "ticked") return;
            clock.done(id, message.tick, message.workMs);
            return;
          case "failed":
            if (message.type === "failed") reject(new Error(message.message));
            return;
          case "metrics":
            if (message.type === "metrics") tally.report(id, message);
            return;
          case "stopped":
            // Everything it sent came before this: it may go.
            channel.send({ type: "exit" } satisfies PrimaryMessage);
            return;
        }
      });
      void child.exited.then((code) => {
        activity.forget(child.pid);
        relay.detach(channel);
        clock.leave(id);
        const lost = tally.retire(id);
        stoppedSignal();
        reject(new Error(`worker ${id} exited with code ${code} before it was ready`));
        if (stopping) return;
        const lived = Date.now() - startedAt;
        const delay = lived > HEALTHY_AFTER_MS ? RESTART_DELAY_MS : restartDelays[id]!;
        restartDelays[id] = Math.min(MAX_RESTART_DELAY_MS, delay * 2);
        const losing = lost > 0 ? `, losing at least ${lost} events it had accepted` : "";
        log(`pulse: worker ${id} (pid ${child.pid}) exited with ${child.signalCode ?? `code ${code}`}${losing}; restarting it in ${delay} ms`);
        setTimeout(() => {
          if (stopping) return;
          start(id).then(
            (message) => log(`pulse: worker ${id} restarted (pid ${message.pid})`),
            (error: Error) => log(`pulse: worker ${id} did not restart: ${error.message}`),
          );
        }, delay);
      });
    });
    return ready;
  };

  const stop = async () => {
    stopping = true;
    clock.stop();
    clearInterval(saltCheck);
    clearInterval(metricsTimer);
    unsubscribeSalts();
    retention.stop();
    for (const worker of workers) worker?.child.kill("SIGTERM");
    const all = Promise.all(workers.map((worker) => worker?.stopped));
    const timedOut = await Promise.race([all.then(() => false), Bun.sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) for (const worker of workers) worker?.child.kill("SIGKILL");
    writes.close();
    store.close();
  };

  try {
    // The first worker binds the port (a free one for --port 0); the others join it.
    const first = await start(0);
    port = first.port;
    await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => start(i + 1)));
    return {
      port,
      restored: first.restored,
      pids: () => workers.flatMap((worker) => (worker ? [worker.pid] : [])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
