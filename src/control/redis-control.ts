/**
 * The control plane of Pulse nodes on several machines, over the Redis stream their RedisBus
 * shares (src/bus/redis-bus.ts), so that every tick is an entry in line with the batches:
 *
 * - **The pace.** One node at a time holds a lease in Redis (RedisLease) and appends the ticks. A
 *   tick is appended by a script that checks the lease in the same step, so a holder that stalled
 *   past its expiry cannot append once another has taken over; the time is Redis's own clock
 *   (every node's tick times come from one clock, whichever node keeps the pace), and the number
 *   continues from the last tick the holder saw (a Redis restarted empty does not start again at 1).
 *   When the holder dies, another takes the lease within its expiry.
 * - **Paced by the work.** Each node writes its answer to a tick (the number and the work it took)
 *   to a hash; the holder waits for every node it has heard from lately, within MAX_TICK_MS, and
 *   stretches the next interval with the slowest, as ClusterClock does for workers.
 * - **The salts** are one key: the newest day wins (a script sets it only for a later day and
 *   appends the salts to the stream, so every node takes them in the same place).
 * - **History.** A node rebuilds from the stream itself (it keeps the last 31 minutes): the
 *   batches up to where its bus joined, then reads on. Presence signals among them make the tabs
 *   present when it starts.
 * - **Figures.** Each node writes its own every second to a hash; a node's whole figures add up
 *   those heard from in the last 10 s.
 *
 * Every node stores the batches it applies in its own store (without a shared database).
 */
import { RedisClient } from "bun";
import type { RedisBus } from "../bus/redis-bus.ts";
import { PacedClient } from "../bus/redis-reconnect.ts";
import { MAX_TICK_MS, nextTickInterval, sendAheadDelay } from "../core/fanout/tick-pacing.ts";
import type { AcceptedEvent } from "../core/ingest/accepted-event.ts";
import { DailySalts, isSaltState, type SaltState } from "../core/ingest/visitor-id.ts";
import { Metrics, type MetricsSnapshot } from "../core/metrics.ts";
import type { PresenceSignal } from "../core/presence/presence-counts.ts";
import { replayedHistory } from "../core/presence/presence-events.ts";
import { ACTIVE_MS } from "../core/stats/active-visitors.ts";
import type { ClusterFigures, ControlPlane, Tick, TickingNode } from "./control-plane.ts";
import { RedisLease } from "./redis-lease.ts";

/** How long the pace keeper's lease lasts unrenewed: the longest ticks stop when it dies. */
export const LEASE_MS = 2_000;
/** A node not heard from for this long is not counted in the figures. */
export const NODE_SILENT_MS = 10_000;
/** A node whose figures are older than this is not waited for at a tick (it reports every second). */
const PACE_SILENT_MS = 3_000;
const FIGURES_MS = 1_000;
const SALT_CHECK_MS = 10_000;
/** How often the keeper asks whether every node has answered a tick, once the interval is over. */
const ACK_POLL_MS = 5;


/**
 * Appends a tick if ARGV[1] holds the lease: numbered after both the counter and the last tick the
 * holder saw (ARGV[2]), timed by Redis, and trimming the stream to its history (ARGV[4] ms) as
 * batches do, so that ticks alone do not make it grow. Returns {number, time} or nothing.
 */
const APPEND_TICK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return nil end
local number = redis.call('INCR', KEYS[2])
if number <= tonumber(ARGV[2]) then
  number = tonumber(ARGV[2]) + 1
  redis.call('SET', KEYS[2], number)
end
local now = redis.call('TIME')
local time = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('XADD', KEYS[3], 'MINID', '~', time - tonumber(ARGV[4]), '*', 'k', 'tick', 'number', number, 'time', time, 'interval', ARGV[3])
return {number, time}`;

/**
 * Keeps the salts of the later day (ARGV[1] is the day, ARGV[2] the state) and tells every node;
 * returns the salts kept. What is kept and cannot be read (not JSON, no day) is replaced.
 */
const OFFER_SALTS = `
local kept = redis.call('GET', KEYS[1])
if kept then
  local ok, state = pcall(cjson.decode, kept)
  local day = ok and type(state) == 'table' and tonumber(state['day'])
  if day and day >= tonumber(ARGV[1]) then return kept end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], '*', 'k', 'salts', 'state', ARGV[2])
return ARGV[2]`;

export interface RedisControlOptions {
  url: string;
  /** This node's id, the same as its bus's. */
  node: string;
  tickMs: number;
  /** The bus of the same nodes: ticks and salts travel on its stream. */
  bus: RedisBus;
  /** The local store's last position, where this node's own store is read from (exports). */
  storePosition: number;
  leaseMs?: number;
  /** How often the salts are checked for a new day and offered again (SALT_CHECK_MS). */
  saltCheckMs?: number;
  residentBytes?: () => number;
  /** The processes this node is (a primary and its workers), reported with its figures. */
  processes?: () => number;
  log?: (line: string) => void;
}

interface NodeFigures {
  at: number;
  snapshot: MetricsSnapshot;
  residentBytes: number;
  processes?: number;
}

export class RedisControl implements ControlPlane {
  readonly restoreThrough: number;
  private node: TickingNode | undefined;
  private readonly client: RedisClient;
  private readonly paced: PacedClient;
  private readonly lease: RedisLease;
  private readonly keys: { lease: string; counter: string; acks: string; figures: string; salts: string; stream: string };
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private sendBeforeTick: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private keeping = false;
  private lastTick = 0;
  private lastTime = 0;
  private toldAt = Date.now();
  private figures: ClusterFigures | undefined;
  private readonly residentBytes: () => number;
  private readonly log: (line: string) => void;

  /** Connects, takes the shared salts and the history to rebuild from; the bus must be ready. */
  static async open(options: RedisControlOptions): Promise<RedisControl> {
    const control = new RedisControl(options);
    await control.client.connect();
    const kept = saltStateOf((await control.client.send("GET", [control.keys.salts])) as string | null);
    if (kept) control.salts.replace(kept);
    // Today's (and tomorrow's), the kept ones if they are today's; offered, and the kept ones win.
    control.salts.at(Date.now());
    await control.offerSalts(control.salts.state());
    const { events, presence } = replayedHistory(await options.bus.recent(Date.now() - ACTIVE_MS), Date.now());
    control.history = events;
    control.presence = presence;
    return control;
  }

  readonly salts = new DailySalts();
  /** The events of the last 30 minutes up to where the bus joined: what this node rebuilds from. */
  history: readonly AcceptedEvent[] = [];
  presence: readonly PresenceSignal[] = [];

  private constructor(private readonly options: RedisControlOptions) {
    this.restoreThrough = options.storePosition;
    this.residentBytes = options.residentBytes ?? (() => process.memoryUsage.rss());
    this.log = options.log ?? ((line) => console.warn(`pulse: ${line}`));
    const stream = options.bus.key;
    this.keys = { stream, lease: `${stream}:pace`, counter: `${stream}:tick`, acks: `${stream}:acks`, figures: `${stream}:figures`, salts: `${stream}:salts` };
    this.client = new RedisClient(options.url, { autoReconnect: false, enableOfflineQueue: false });
    this.paced = new PacedClient(this.client);
    this.lease = new RedisLease(this.client, this.keys.lease, options.node, options.leaseMs ?? LEASE_MS);
    options.bus.onControl((kind, fields) => {
      if (kind === "tick") this.onTick(fields);
      else if (kind === "salts") this.onSalts(fields);
    });
    this.salts.onChange((state) => void this.offerSalts(state));
  }

  start(node: TickingNode): void {
    this.node = node;
    const { tickMs } = this.options;
    this.toldAt = Date.now();
    // Sent ahead of each tick (see SEND_AHEAD_MS in tick-pacing.ts); this sends whenever that has not, for a tickMs.
    this.timers.push(
      setInterval(() => {
        if (Date.now() - this.toldAt >= tickMs) this.sendAccepted();
      }, tickMs),
    );
    // A flood can hold the interval back for seconds (see LoopTurns): the requests send instead.
    node.turns.onRequest((time) => {
      if (!this.stopped && time - this.toldAt >= 2 * tickMs) this.sendAccepted();
    });
    this.timers.push(setInterval(() => void this.reportFigures(), FIGURES_MS));
    // Turns to a new day's salts without waiting for an event; offering them again also fills a
    // Redis that restarted empty, so that a node starting then takes these rather than its own.
    this.timers.push(
      setInterval(() => {
        this.salts.at(Date.now());
        void this.offerSalts(this.salts.state());
      }, this.options.saltCheckMs ?? SALT_CHECK_MS),
    );
    this.timers.push(setInterval(() => void this.keepPace(), (this.options.leaseMs ?? LEASE_MS) / 4));
    void this.reportFigures();
    void this.keepPace();
  }

  clusterFigures(): ClusterFigures | undefined {
    return this.figures;
  }

  /** Never: this node stores what it applies, and Redis going away is waited out, not given up on. */
  onLost(_handler: (why: string) => void): void {}

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.sendBeforeTick);
    this.sendAccepted();
    // Another node takes the pace at once rather than after the lease's expiry; this one's answers go.
    void this.quietly(async () => {
      await this.lease.release();
      await this.client.send("HDEL", [this.keys.acks, this.options.node]);
      await this.client.send("HDEL", [this.keys.figures, this.options.node]);
    }).finally(() => this.client.close());
  }

  private sendAccepted(): boolean {
    this.toldAt = Date.now();
    return this.node?.sendAccepted() ?? false;
  }

  /** A tick read from the stream: stepped through once, in order, at a time that never goes back. */
  private onTick(fields: ReadonlyMap<string, string>): void {
    const number = Number(fields.get("number"));
    const time = Number(fields.get("time"));
    const intervalMs = Number(fields.get("interval"));
    if (!Number.isSafeInteger(number) || number <= this.lastTick || !Number.isFinite(time) || !(intervalMs > 0)) return;
    this.lastTick = number;
    this.lastTime = Math.max(this.lastTime, time);
    const node = this.node;
    if (!node || this.stopped) return;
    const tick: Tick = { number, time: this.lastTime, intervalMs };
    clearTimeout(this.sendBeforeTick);
    this.sendBeforeTick = setTimeout(() => this.sendAccepted(), sendAheadDelay(intervalMs, 1));
    node.step(tick).then(
      (workMs) => this.answer(node, tick, workMs),
      (error: unknown) => {
        console.error("pulse: tick failed:", error);
        this.answer(node, tick, 0);
      },
    );
  }

  private answer(node: TickingNode, tick: Tick, workMs: number): void {
    node.metrics.recordTick(workMs / 1000, tick.intervalMs / 1000);
    if (this.stopped) return;
    void this.quietly(() => this.client.send("HSET", [this.keys.acks, this.options.node, `${tick.number} ${workMs}`]));
  }

  private onSalts(fields: ReadonlyMap<string, string>): void {
    const state = saltStateOf(fields.get("state") ?? null);
    if (state) this.salts.replace(state);
    else this.log("skipped salts on the exchange that are not salts");
  }

  private async offerSalts(state: SaltState): Promise<void> {
    const kept = await this.quietly(() => this.client.send("EVAL", [OFFER_SALTS, "2", this.keys.salts, this.keys.stream, String(state.day), JSON.stringify(state)]));
    const shared = saltStateOf(typeof kept === "string" ? kept : null);
    if (shared) this.salts.replace(shared);
  }

  /** Takes or renews the lease; the node that holds it appends ticks until it loses it. */
  private async keepPace(): Promise<void> {
    if (this.stopped || !this.node) return;
    const held = await this.quietly(() => this.lease.hold());
    if (!held || this.keeping || this.stopped) return;
    this.keeping = true;
    try {
      await this.tickWhileHeld();
    } finally {
      this.keeping = false;
    }
  }

  private async tickWhileHeld(): Promise<void> {
    const { tickMs } = this.options;
    let intervalMs = tickMs;
    while (!this.stopped) {
      const sentAt = Date.now();
      const appended = (await this.quietly(() =>
        this.client.send("EVAL", [APPEND_TICK, "3", this.keys.lease, this.keys.counter, this.keys.stream, this.options.node, String(this.lastTick), String(intervalMs), String(this.options.bus.historyMs)]),
      )) as [number, number] | null | undefined;
      if (!appended) return;
      const number = Number(appended[0]);
      await sleep(Math.max(0, intervalMs - (Date.now() - sentAt)));
      const workMs = await this.answered(number, sentAt + MAX_TICK_MS);
      intervalMs = nextTickInterval(workMs, tickMs);
      await sleep(Math.max(0, intervalMs - (Date.now() - sentAt)));
    }
  }

  /** Waits until every node heard from lately has answered tick `number`, or `deadline`; returns the slowest work. */
  private async answered(number: number, deadline: number): Promise<number> {
    for (;;) {
      const [acks, figures] = await Promise.all([this.hash(this.keys.acks), this.hash(this.keys.figures)]);
      // A node that has never answered joined since the last tick was sent: it answers from the next.
      const live = [...figures].filter(([node, text]) => acks.has(node) && Date.now() - (parseFigures(text)?.at ?? 0) < PACE_SILENT_MS).map(([node]) => node);
      let slowest = 0;
      let waiting = false;
      for (const node of live) {
        const [tick, work] = acks.get(node)!.split(" ").map(Number);
        // One that did not answer the last tick either (dead, or stuck) holds nobody up until it answers again.
        if (!(tick! >= number - 1)) continue;
        if (tick! < number) waiting = true;
        else if (tick === number) slowest = Math.max(slowest, work || 0);
      }
      // A node that has not answered by the deadline has taken all of it.
      if (!waiting || Date.now() >= deadline || this.stopped) return waiting ? MAX_TICK_MS : slowest;
      await sleep(ACK_POLL_MS);
    }
  }

  private async reportFigures(): Promise<void> {
    const node = this.node;
    if (!node || this.stopped) return;
    const own: NodeFigures = { at: Date.now(), snapshot: node.metrics.snapshot(), residentBytes: this.residentBytes(), processes: this.options.processes?.() ?? 1 };
    await this.quietly(() => this.client.send("HSET", [this.keys.figures, this.options.node, JSON.stringify(own)]));
    const all = await this.hash(this.keys.figures);
    const heard: NodeFigures[] = [];
    for (const [name, text] of all) {
      const figures = parseFigures(text);
      if (figures && Date.now() - figures.at < NODE_SILENT_MS) heard.push(name === this.options.node ? own : figures);
    }
    if (!heard.some((figures) => figures === own)) heard.push(own);
    this.figures = {
      metrics: Metrics.combine(heard.map((figures) => figures.snapshot)),
      residentBytes: heard.reduce((total, figures) => total + figures.residentBytes, 0),
      processes: heard.reduce((total, figures) => total + (typeof figures.processes === "number" ? figures.processes : 1), 0),
    };
  }

  private async hash(key: string): Promise<Map<string, string>> {
    const reply = (await this.quietly(() => this.client.send("HGETALL", [key]))) as Record<string, string> | string[] | null | undefined;
    const map = new Map<string, string>();
    if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
    else if (reply) for (const [field, value] of Object.entries(reply)) map.set(field, String(value));
    return map;
  }

  /** Runs a command, connecting again first if the connection was lost; undefined if Redis does not answer. */
  /** Runs a command, connecting again first if the connection was lost (paced while Redis fails); undefined if Redis does not answer. */
  private quietly<T>(command: () => Promise<T>): Promise<T | undefined> {
    return this.paced.run(command);
  }
}

/** Salts read from Redis, or undefined for anything that is not salts (checked: nothing from another machine is used unread). */
function saltStateOf(text: string | null): SaltState | undefined {
  if (text === null) return undefined;
  try {
    const state: unknown = JSON.parse(text);
    return isSaltState(state) ? state : undefined;
  } catch {
    return undefined;
  }
}

function parseFigures(text: string): NodeFigures | undefined {
  try {
    const figures = JSON.parse(text) as NodeFigures;
    const { at, snapshot, residentBytes } = figures ?? {};
    // Enough to add up: a node of another version, or anything else in the hash, is left out.
    const whole = typeof snapshot === "object" && snapshot !== null && typeof snapshot.eventsAccepted === "number" && typeof snapshot.eventsDropped === "object";
    return typeof at === "number" && typeof residentBytes === "number" && whole ? figures : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
