/**
 * The primary process of `pulse serve --workers N`: it serves nothing itself. It starts N worker
 * processes on one port (SO_REUSEPORT) and restarts a worker that dies (its dashboards reconnect
 * to the others meanwhile). A worker that stops answering (silent for seconds, or leaving too much
 * unread) is killed and restarted the same way. Coordinating them is the coordinator's
 * (src/control/ipc-coordinator.ts: it stores every event once, keeps the pace and the salts)
 * and the relay's (src/bus/ipc-relay.ts: every batch to every worker, in one order).
 */
import type { Channel } from "../bus/ipc-bus.ts";
import { IpcRelay } from "../bus/ipc-relay.ts";
import type { Config } from "../config.ts";
import type { DailySalts } from "../core/ingest/visitor-id.ts";
import { IpcCoordinator, type WorkerStart } from "../control/ipc-coordinator.ts";
import { RedisCoordinator } from "../control/redis-coordinator.ts";
import type { RedisControl } from "../control/redis-control.ts";
import type { RedisBus } from "../bus/redis-bus.ts";
import type { StreamArchiver } from "../storage/stream-archiver.ts";
import type { Metrics } from "../core/metrics.ts";
import type { EventStore } from "../storage/event-store.ts";
import { ProcessActivity } from "./process-activity.ts";
import type { SpawnWorker, WorkerProcess } from "./worker-process.ts";
import type { ReadyMessage } from "./messages.ts";

/** A dead worker is replaced after this long, doubling while it keeps dying young, up to the maximum. */
const RESTART_DELAY_MS = 200;
const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that lived this long was healthy: its next restart is quick again. */
const HEALTHY_AFTER_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface PrimaryOptions {
  config: Config;
  /** The serve arguments, handed to each worker. */
  argv: string[];
  /** Starts a worker: this program again, as `serve-worker` (spawnBunWorker, nodeWorkers). */
  spawnWorker: SpawnWorker;
  store: EventStore;
  eventsPath: string;
  token: string;
  salts: DailySalts;
  /**
   * A node joined by Redis: its primary speaks to Redis for all its workers (RedisCoordinator),
   * storing in `store` unless an archiver stores in the database the nodes share.
   */
  joined?: {
    bus: RedisBus;
    control: RedisControl;
    archiver?: StreamArchiver;
    storesLocally: boolean;
    /** What the exchange counts into: the primary's figures. */
    metrics: Metrics;
    /** Given the coordinator once made: the node's figures (memory, processes) are its. */
    onCoordinator?: (coordinator: RedisCoordinator) => void;
  };
  log?: (line: string) => void;
}

/** What the supervisor needs of whoever coordinates the workers: alone on a box, or a node joined by Redis. */
interface Coordinator {
  join(id: number, channel: Channel, start: WorkerStart): Promise<ReadyMessage>;
  leave(id: number, channel: Channel): number;
  stop(): void;
  close(): void | Promise<void>;
}

export interface RunningPrimary {
  port: number;
  restored: number;
  pids(): number[];
  stop(): Promise<void>;
}

function joinedCoordinator(
  joined: NonNullable<PrimaryOptions["joined"]>,
  relay: IpcRelay,
  retentionDays: number,
  store: EventStore | undefined,
  log: (line: string) => void,
  hung: { stillWorking: (worker: number) => boolean; onHung: (worker: number) => void },
): RedisCoordinator {
  const coordinator = new RedisCoordinator({
    ...hung,
    bus: joined.bus,
    control: joined.control,
    relay,
    ...(store ? { store } : {}),
    ...(joined.archiver ? { archiver: joined.archiver } : {}),
    metrics: joined.metrics,
    retentionDays,
    log,
  });
  joined.onCoordinator?.(coordinator);
  return coordinator;
}

/** Starts the workers; resolves once all are serving. Rejects (and stops them) if the first cannot start. */
export async function startPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  const { config, store, salts } = options;
  const log = options.log ?? ((line) => console.error(line));
  const workers: Array<{ child: WorkerProcess; channel: Channel; pid: number; stopped: Promise<void>; killed?: true } | undefined> = [];
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

  const activity = new ProcessActivity();
  const stillWorking = (id: number) => {
    const worker = workers[id];
    return worker !== undefined && activity.working(worker.pid);
  };
  const { joined } = options;
  const relay = new IpcRelay({
    stillWorking: (channel) => stillWorking(idOf(channel)),
    onOverfull: (channel, chars) => kill(idOf(channel), `has left ${Math.round(chars / 2 ** 20)} MB of events unread`),
    // Joined by Redis, batches go on to the workers in the stream's order, not as they arrive.
    ...(joined ? { forward: false } : {}),
  });
  const coordinator: Coordinator = joined
    ? joinedCoordinator(joined, relay, config.retentionDays, joined.storesLocally ? store : undefined, log, {
        stillWorking,
        onHung: (id) => kill(id, "has not answered for seconds"),
      })
    : new IpcCoordinator({
        tickMs: config.tickMs,
        retentionDays: config.retentionDays,
        store,
        relay,
        salts,
        stillWorking,
        onHung: (id) => kill(id, "has not answered for seconds"),
        log,
      });

  const start = (id: number): Promise<ReadyMessage> => {
    const handlers: Array<(message: unknown) => void> = [];
    const child = options.spawnWorker((message) => {
      for (const handler of handlers) handler(message);
    });
    const channel: Channel = {
      send: (message) => child.send(message),
      onMessage: (handler) => void handlers.push(handler),
    };
    let stoppedSignal: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (stoppedSignal = resolve));
    workers[id] = { child, channel, pid: child.pid, stopped };
    const startedAt = Date.now();

    return new Promise<ReadyMessage>((resolve, reject) => {
      coordinator.join(id, channel, { argv: options.argv, port, token: options.token, eventsPath: options.eventsPath }).then(resolve, reject);
      void child.exited.then((code) => {
        activity.forget(child.pid);
        const lost = coordinator.leave(id, channel);
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
  };

  const stop = async () => {
    stopping = true;
    coordinator.stop();
    for (const worker of workers) worker?.child.kill("SIGTERM");
    const all = Promise.all(workers.map((worker) => worker?.stopped));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS))]);
    if (timedOut) for (const worker of workers) worker?.child.kill("SIGKILL");
    await coordinator.close();
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
