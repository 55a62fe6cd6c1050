/**
 * "A cluster of n nodes" for each control plane, paired with its bus, for the contract suite:
 * LocalControl with LocalBus (one node, which stores its own events), and IpcControl with IpcBus
 * over in-memory pipes to an IpcCoordinator and IpcRelay (the primary, which stores them).
 */
import type { EventBus } from "../../src/bus/event-bus.ts";
import { IpcBus } from "../../src/bus/ipc-bus.ts";
import { IpcRelay } from "../../src/bus/ipc-relay.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import { isStartMessage } from "../../src/cluster/messages.ts";
import type { ControlPlane, Tick, TickingNode } from "../../src/control/control-plane.ts";
import { IpcControl } from "../../src/control/ipc-control.ts";
import { IpcCoordinator } from "../../src/control/ipc-coordinator.ts";
import { LocalControl } from "../../src/control/local-control.ts";
import { RedisControl } from "../../src/control/redis-control.ts";
import { RedisBus } from "../../src/bus/redis-bus.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { LoopTurns } from "../../src/core/fanout/loop-turns.ts";
import type { AcceptedEvent } from "../../src/core/ingest/accepted-event.ts";
import { DailySalts } from "../../src/core/ingest/visitor-id.ts";
import { Metrics } from "../../src/core/metrics.ts";
import type { EventStore } from "../../src/storage/event-store.ts";
import { createMemoryStore } from "../../src/storage/memory-store.ts";
import { pipe, type Pipe } from "../helpers/pipe.ts";
import { storedEvent } from "../helpers/stored-events.ts";

export const TICK_MS = 20;

export interface Step {
  tick: Tick;
  /** The paths of the events applied when the step began, in bus order. */
  applied: number;
  startedAt: number;
  endedAt: number;
}

/** A node on a bus that records what the control plane makes it do, and what it applied when; its steps take `workMs`. */
export class BusNode implements TickingNode {
  readonly turns = new LoopTurns();
  readonly metrics = new Metrics();
  readonly steps: Step[] = [];
  readonly applied: string[] = [];
  /** Paths of the events it sent, and when. */
  readonly sent: Array<{ path: string; at: number }> = [];
  workMs = 0;
  finalSteps = 0;
  private accepted: AcceptedEvent[] = [];

  constructor(
    private readonly bus: EventBus,
    /** The node that stores the events (a single process) writes each batch it applies. */
    writer?: EventStore,
  ) {
    bus.onBatch((batch) => {
      for (const event of batch) this.applied.push(event.path);
      writer?.append(batch);
    });
  }

  accept(path: string): void {
    this.accepted.push(storedEvent({ path }));
  }

  async step(tick: Tick): Promise<number> {
    const startedAt = Date.now();
    this.sendAccepted();
    const step: Step = { tick, applied: this.applied.length, startedAt, endedAt: Infinity };
    this.steps.push(step);
    if (this.workMs > 0) await new Promise((resolve) => setTimeout(resolve, this.workMs));
    step.endedAt = Date.now();
    return this.workMs;
  }

  finalStep(): void {
    this.finalSteps++;
  }

  sendAccepted(): boolean {
    if (this.accepted.length === 0) return false;
    const batch = this.accepted;
    this.accepted = [];
    for (const event of batch) this.sent.push({ path: event.path, at: Date.now() });
    this.bus.publish(batch);
    return true;
  }
}

export interface Member {
  control: ControlPlane;
  bus: EventBus;
  node: BusNode;
  /** The paths of the events it rebuilt from the store, through `restoreThrough`. */
  restored: string[];
}

export interface ControlCluster {
  members: Member[];
  store: EventStore;
  /** Where the salts are chosen (a single process's own; the primary's). */
  salts: DailySalts;
  /** A node that starts now (a single process: the node restarts, as after a deploy). */
  join(): Promise<Member>;
  /** The party that stores member `index`'s events is gone; undefined where that party is the node itself. */
  lose?: (index: number) => void;
  /** Every message sent so far has arrived. */
  settle(): Promise<void>;
  stop(): void;
}

export interface Implementation {
  name: string;
  maxNodes: number;
  /** Every node stores the events it applies itself: no other party's loss leaves it alone. */
  storesOwnEvents?: boolean;
  /** `slowReader`: the last node reads its channel late, so what is sent to it waits in line. */
  cluster(nodes: number, options?: { slowReader?: boolean }): Promise<ControlCluster>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pathsOf = (events: Iterable<AcceptedEvent>) => Array.from(events, (event) => event.path);

export const local: Implementation = {
  name: "LocalControl + LocalBus",
  maxNodes: 1,
  async cluster() {
    const store = createMemoryStore();
    const salts = new DailySalts();
    salts.at(Date.now());
    let member: Member | undefined;
    const start = (): Member => {
      const bus = new LocalBus();
      const control = new LocalControl({ tickMs: TICK_MS, salts, storePosition: store.lastPosition() });
      const restored = pathsOf(store.since(0, control.restoreThrough));
      const node = new BusNode(bus, store);
      control.start(node);
      return { control, bus, node, restored };
    };
    const stop = () => {
      member?.control.stop();
      member?.bus.close();
    };
    member = start();
    return {
      members: [member],
      store,
      salts,
      async join() {
        stop();
        member = start();
        return member;
      },
      settle: () => sleep(5),
      stop,
    };
  },
};

export const ipc: Implementation = {
  name: "IpcControl + IpcCoordinator, over IpcBus + IpcRelay",
  maxNodes: Infinity,
  async cluster(count, options = {}) {
    const store = createMemoryStore();
    const salts = new DailySalts();
    const relay = new IpcRelay({ inFlightChars: options.slowReader ? 1 : undefined });
    const coordinator = new IpcCoordinator({ tickMs: TICK_MS, retentionDays: 30, store, relay, salts, log: () => {} });
    const pipes: Pipe[] = [];
    const members: Member[] = [];
    let next = 0;
    const join = async (slow = false): Promise<Member> => {
      const channel = pipe(slow ? 10 : 0);
      pipes.push(channel);
      const [primarySide, workerSide] = channel.ends;
      // As a worker does: the bus first, so no batch after `start` finds it without its handler.
      const bus = new IpcBus(workerSide);
      const member = new Promise<Member>((resolve) => {
        let started = false;
        workerSide.onMessage((message) => {
          if (started || !isStartMessage(message)) return;
          started = true;
          const control = new IpcControl(workerSide, message, { tickMs: TICK_MS });
          const restored = pathsOf(store.since(0, control.restoreThrough));
          const node = new BusNode(bus);
          control.start(node);
          workerSide.send({ type: "ready", port: 0, pid: 0, restored: restored.length });
          resolve({ control, bus, node, restored });
        });
      });
      await coordinator.join(next++, primarySide, { argv: [], port: 0, token: "", eventsPath: "" });
      const joined = await member;
      members.push(joined);
      return joined;
    };
    for (let i = 0; i < count; i++) await join(options.slowReader === true && i === count - 1);
    return {
      members,
      store,
      salts,
      join: () => join(),
      lose: (index) => pipes[index]!.close(),
      settle: () => sleep(15),
      stop() {
        coordinator.stop();
        for (const { control, bus } of members) {
          control.stop();
          bus.close();
        }
      },
    };
  },
};

/**
 * RedisControl with RedisBus, against a real redis-server started on first use (`close` stops
 * it): every node stores what it applies in a store of its own, so `store` is the first node's.
 */
export function redisImplementation(): Implementation & { missing?: string; close(): Promise<void> } {
  let server: RedisProcess | undefined;
  const missing = redisServerBinary() ? undefined : REDIS_MISSING;
  return {
    name: "RedisControl + RedisBus",
    maxNodes: Infinity,
    storesOwnEvents: true,
    ...(missing ? { missing } : {}),
    async close() {
      await server?.stop();
    },
    async cluster(count) {
      server ??= await startRedis();
      const url = server.url;
      const stream = `pulse:test:${crypto.randomUUID()}`;
      const members: Member[] = [];
      const stores: EventStore[] = [];
      let next = 0;
      const join = async (): Promise<Member> => {
        const name = `node-${next++}`;
        const bus = new RedisBus({ url, node: name, stream });
        await bus.ready;
        const store = createMemoryStore();
        stores.push(store);
        const control = await RedisControl.open({ url, node: name, tickMs: TICK_MS, bus, storePosition: store.lastPosition(), log: () => {} });
        const node = new BusNode(bus, store);
        control.start(node);
        const member = { control, bus, node, restored: pathsOf(control.history) };
        members.push(member);
        return member;
      };
      for (let i = 0; i < count; i++) await join();
      return {
        members,
        get store() {
          return stores[0]!;
        },
        salts: members[0]!.control.salts,
        join,
        // Redis's round trips: a few milliseconds here, more with a tick in between.
        settle: () => sleep(100),
        stop() {
          for (const { control, bus } of members) {
            control.stop();
            bus.close();
          }
        },
      };
    },
  };
}
