/**
 * The guarantees written in src/bus/event-bus.ts, one test each, over every implementation. An
 * implementation skips only what it says it does not do: LocalBus is a single process, one peer.
 * What is particular to one implementation (the relay's bounds, a worker's congestion) is tested
 * in test/bus.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import type { Batch, EventBus } from "../../src/bus/event-bus.ts";
import { IpcBus } from "../../src/bus/ipc-bus.ts";
import { IpcRelay } from "../../src/bus/ipc-relay.ts";
import { LocalBus } from "../../src/bus/local-bus.ts";
import { RedisBus } from "../../src/bus/redis-bus.ts";
import { pipe, type Pipe } from "../helpers/pipe.ts";
import { REDIS_MISSING, redisServerBinary, startRedis, type RedisProcess } from "../helpers/redis-server.ts";
import { storedEvent } from "../helpers/stored-events.ts";

interface Peer {
  bus: EventBus;
  /** Every batch it received, as its paths joined, in order; and which of them were its own. */
  received: string[];
  own: string[];
}

interface BusCluster {
  peers: Peer[];
  /** A peer that subscribes now (resolves once it has). */
  join(): Promise<Peer>;
  /** Peer `index` dies: its process is gone. */
  kill(index: number): void;
  /** A peer that stops reading (hung, not dead); it receives nothing once it is cut off. */
  stalled(): { received: () => number };
  /** Until everything sent has arrived. */
  settle(): Promise<void>;
}

interface Implementation {
  name: string;
  /** How many peers it can have. */
  maxPeers: number;
  cluster(peers: number): Promise<BusCluster>;
  /** Why it cannot run here (a server it needs is not installed), or undefined. */
  missing?: string;
}

const paths = (batch: Batch) => batch.map((event) => event.path).join(",");
const batchOf = (...names: string[]): Batch => names.map((path) => storedEvent({ path }));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function peerOf(bus: EventBus): Peer {
  const peer: Peer = { bus, received: [], own: [] };
  bus.onBatch((batch, own) => {
    peer.received.push(paths(batch));
    if (own) peer.own.push(paths(batch));
  });
  return peer;
}

const local: Implementation = {
  name: "LocalBus",
  maxPeers: 1,
  cluster: async () => ({
    peers: [peerOf(new LocalBus())],
    join: () => {
      throw new Error("a single process has one peer");
    },
    kill: () => {},
    stalled: () => {
      throw new Error("a single process has one peer");
    },
    settle: async () => {},
  }),
};

/** Workers' IpcBus over in-memory pipes to the primary's IpcRelay, with small bounds. */
const ipc: Implementation = {
  name: "IpcBus + IpcRelay",
  maxPeers: Infinity,
  async cluster(count) {
    const relay = new IpcRelay({ inFlightChars: 2_000, maxUnreadChars: 4_000 });
    const pipes: Pipe[] = [];
    const attach = () => {
      const channel = pipe();
      pipes.push(channel);
      relay.listen(channel.ends[0]);
      relay.attach(channel.ends[0]);
      return channel;
    };
    const join = () => peerOf(new IpcBus(attach().ends[1]));
    return {
      peers: Array.from({ length: count }, join),
      join: async () => join(),
      kill(index) {
        // The supervisor detaches a worker whose process exited.
        pipes[index]!.close();
        relay.detach(pipes[index]!.ends[0]);
      },
      stalled() {
        // It said it was ready, then reads nothing: its channel takes what it is given.
        let received = 0;
        const channel = attach();
        channel.ends[1].onMessage(() => received++);
        channel.ends[1].send({ type: "ready" });
        return { received: () => received };
      },
      settle: () => sleep(5),
    };
  },
};

/** Nodes on one Redis stream of their own (a real redis-server, started for these tests). */
let redis: RedisProcess | undefined;
const redisBuses: RedisBus[] = [];
const redisStreams: Implementation = {
  name: "RedisBus (a Redis stream)",
  maxPeers: Infinity,
  missing: redisServerBinary() ? undefined : REDIS_MISSING,
  async cluster(count) {
    const stream = `pulse:test:${crypto.randomUUID()}`;
    const buses: RedisBus[] = [];
    const join = async () => {
      const bus = new RedisBus({ url: redis!.url, node: `node-${buses.length}`, stream });
      buses.push(bus);
      redisBuses.push(bus);
      await bus.ready;
      return peerOf(bus);
    };
    const peers: Peer[] = [];
    for (let i = 0; i < count; i++) peers.push(await join());
    const probe = new RedisClient(redis!.url);
    const lastId = async () => ((await probe.send("XREVRANGE", [stream, "+", "-", "COUNT", "1"])) as Array<[string]>)[0]?.[0] ?? "0-0";
    return {
      peers,
      join,
      kill(index) {
        buses[index]!.close();
      },
      stalled() {
        // A node that took its place in the stream and never reads: nothing is sent to it, so nothing waits for it.
        void probe.send("XREVRANGE", [stream, "+", "-", "COUNT", "1"]);
        return { received: () => 0 };
      },
      async settle() {
        // Until the stream has stopped growing and every living node has read to its end.
        let last = "";
        for (let i = 0; i < 800; i++) {
          await Bun.sleep(5);
          const now = await lastId();
          if (now === last && buses.every((bus) => bus.closed || bus.position === now)) return;
          last = now;
        }
        throw new Error("the Redis stream did not settle in 4 s");
      },
    };
  },
};

beforeAll(async () => {
  if (!redisStreams.missing) redis = await startRedis();
});
afterAll(async () => {
  for (const bus of redisBuses) bus.close();
  await redis?.stop();
});

for (const implementation of [local, ipc, redisStreams]) {
  const several = implementation.maxPeers > 1;
  const n = Math.min(3, implementation.maxPeers);
  if (implementation.missing) console.warn(`EventBus contract: ${implementation.name} skipped: ${implementation.missing}`);

  describe.skipIf(implementation.missing !== undefined)(`EventBus contract: ${implementation.name}`, () => {
    test("Everyone, the publisher too: every batch reaches every peer, and each peer is told which are its own", async () => {
      const { peers, settle } = await implementation.cluster(n);
      peers.forEach(({ bus }, i) => bus.publish(batchOf(`/${i}`)));
      await settle();
      const all = peers.map((_, i) => `/${i}`);
      for (const [i, peer] of peers.entries()) {
        expect([...peer.received].sort()).toEqual(all);
        expect(peer.own).toEqual([`/${i}`]);
      }
    });

    test("One order: every peer receives the batches in the same order, each publisher's in its own order", async () => {
      const { peers, settle } = await implementation.cluster(n);
      for (let round = 0; round < 5; round++) peers.forEach(({ bus }, i) => bus.publish(batchOf(`/${i}-${round}`)));
      await settle();
      const first = peers[0]!.received;
      expect(first).toHaveLength(5 * n);
      for (const peer of peers) expect(peer.received).toEqual(first);
      for (let i = 0; i < n; i++) expect(first.filter((p) => p.startsWith(`/${i}-`))).toEqual([0, 1, 2, 3, 4].map((round) => `/${i}-${round}`));
    });

    test("At most once: no batch is delivered twice; a dead peer costs no other publisher's batch", async () => {
      const { peers, kill, settle } = await implementation.cluster(n);
      for (let round = 0; round < 3; round++) peers.forEach(({ bus }, i) => bus.publish(batchOf(`/${i}-${round}`)));
      if (several) kill(n - 1);
      peers.slice(0, several ? n - 1 : n).forEach(({ bus }, i) => bus.publish(batchOf(`/${i}-after`)));
      await settle();
      const survivor = peers[0]!.received;
      expect(new Set(survivor).size).toBe(survivor.length);
      // Every batch of the living publishers arrived, before the death and after it.
      for (let i = 0; i < (several ? n - 1 : n); i++) expect(survivor.filter((p) => p.startsWith(`/${i}-`))).toEqual([`/${i}-0`, `/${i}-1`, `/${i}-2`, `/${i}-after`]);
    });

    test.skipIf(!several)("Bounded: a peer that stops reading is cut off; nobody else waits for it", async () => {
      const { peers, stalled, settle } = await implementation.cluster(2);
      const hung = stalled();
      for (let i = 0; i < 100; i++) {
        peers[i % 2]!.bus.publish(batchOf(`/${i}`));
        await settle();
      }
      const cutOffAt = hung.received();
      peers[0]!.bus.publish(batchOf("/later"));
      await settle();
      for (const peer of peers) expect(peer.received).toHaveLength(101);
      expect(cutOffAt).toBeLessThan(100);
      expect(hung.received()).toBe(cutOffAt);
      for (const { bus } of peers) expect(bus.congested()).toBe(false);
    });

    test.skipIf(!several)("No history: a peer gets only the batches published after it subscribed", async () => {
      const { peers, join, settle } = await implementation.cluster(n);
      peers[0]!.bus.publish(batchOf("/before"));
      await settle();
      const late = await join();
      peers[0]!.bus.publish(batchOf("/after"));
      await settle();
      expect(late.received).toEqual(["/after"]);
      expect(peers[0]!.received).toEqual(["/before", "/after"]);
    });

    test("Asynchronous: a handler that publishes, while or after the bus delivers, leaves every peer with the same stream", async () => {
      const { peers, settle } = await implementation.cluster(n);
      let answered = false;
      peers[0]!.bus.onBatch((batch) => {
        if (answered || paths(batch) !== "/question") return;
        answered = true;
        peers[0]!.bus.publish(batchOf("/answer"));
      });
      peers[n - 1]!.bus.publish(batchOf("/question"));
      peers[n - 1]!.bus.publish(batchOf("/next"));
      await settle();
      for (const peer of peers) expect([...peer.received].sort()).toEqual(["/answer", "/next", "/question"]);
      for (const peer of peers) expect(peer.received).toEqual(peers[0]!.received);
    });

    test("Plain data: a batch arrives as it was published, whole", async () => {
      const { peers, settle } = await implementation.cluster(n);
      const got: Batch[] = [];
      peers[n - 1]!.bus.onBatch((batch) => got.push(batch));
      const batch = [storedEvent({ path: "/a", props: { plan: "pro" } }), storedEvent({ path: "/b", referrer: "" })];
      peers[0]!.bus.publish(batch);
      await settle();
      expect(got).toEqual([batch]);
    });

    test("after close, a peer receives nothing and sends nothing", async () => {
      const { peers, settle } = await implementation.cluster(n);
      peers[0]!.bus.close();
      peers[0]!.bus.publish(batchOf("/from-closed"));
      peers[n - 1]!.bus.publish(batchOf("/to-closed"));
      await settle();
      expect(peers[0]!.received).toEqual([]);
      if (several) expect(peers[n - 1]!.received).toEqual(["/to-closed"]);
    });
  });
}
