import type { Publication } from "../stats/hub.ts";
import type { SocketAdmission } from "../fanout/socket-admission.ts";
import type { Metrics } from "../metrics.ts";
import { shardTopic, type TopicShards } from "../fanout/topic-shards.ts";
import { CloseCode } from "../wire/protocol.ts";
import { LiveFrames, liveTopic, type LiveScope } from "./live-frames.ts";
import type { PresenceCounts, PresenceSignal } from "./presence-counts.ts";

/** The little a widget socket carries (set at upgrade). */
export interface LiveData {
  readonly kind: "live";
  readonly site: string;
  /** The page the widget is on: its tab is present there while the socket is open. */
  readonly page: string;
  readonly scope: LiveScope;
  readonly tab: string;
  /** The client address, kept only while --max-widgets-per-ip counts them. */
  readonly address?: string;
  /** The shards of the page's and the site's topics this socket is subscribed to (see TopicShards). */
  pageShard?: number;
  siteShard?: number;
  /** When its tab was last announced held. */
  announced?: number;
}

const tabKey = ({ site, tab }: LiveData) => `${site} ${tab}`;

export function isLiveData(data: object): data is LiveData {
  return (data as { kind?: unknown }).kind === "live";
}

/** All the core needs of a widget socket; transports adapt their own socket type to it. */
export interface LiveSocket {
  readonly data: LiveData;
  send(text: string): unknown;
  subscribe(topic: string): unknown;
  unsubscribe(topic: string): unknown;
  close(code?: number, reason?: string): unknown;
}

export interface LiveWidgetsOptions {
  /** Milliseconds between a topic's frames, at most (--live-interval). */
  intervalMs: number;
  /** A held tab is announced again this often, so that one whose process died expires (half the presence TTL). */
  reannounceMs: number;
  /** Told when a socket closes, so its place is free again. */
  admission?: SocketAdmission;
  metrics?: Metrics;
  now?: () => number;
}

/** Re-announcements per tick at most: a burst of sockets opened together is spread over the ticks that follow. */
export const REANNOUNCE_BATCH = 1000;

export const NO_MESSAGES = "live widget sockets take no messages";

/**
 * Live-widget sockets: each watches the count of its page, of its site, or both, and holds its tab
 * present while it is open. A socket gets its counts at the first tick after it opens, sent to
 * it alone; after that, frames reach it only through the transport's topic publish (LiveFrames, once per
 * interval). A socket that sends anything is closed: widgets only listen.
 */
export class LiveWidgets {
  connected = 0;
  private readonly frames: LiveFrames;
  private readonly now: () => number;
  /**
   * The socket holding each tab (by site and tab), oldest announcement first: a re-announced one
   * moves to the end. A tab's newest socket holds it: a widget that reconnects before its old
   * socket is found dead keeps its tab when the old one closes.
   */
  private readonly held = new Map<string, LiveSocket>();
  /** Sockets opened since the last tick: each gets its counts then, once its tab's "held" has gone out. */
  private readonly fresh = new Set<LiveSocket>();

  constructor(
    counts: PresenceCounts,
    private readonly announce: (signal: PresenceSignal) => void,
    private readonly shards: TopicShards,
    private readonly options: LiveWidgetsOptions,
  ) {
    this.frames = new LiveFrames(counts, shards, options.intervalMs);
    this.now = options.now ?? Date.now;
  }

  open(socket: LiveSocket): void {
    const { data } = socket;
    this.hold(socket, this.now());
    if (data.scope !== "site") data.pageShard = this.watch(socket, data.page);
    if (data.scope !== "page") data.siteShard = this.watch(socket, null);
    this.fresh.add(socket);
    this.connected++;
    if (this.options.metrics) this.options.metrics.widgetsConnected = this.connected;
  }

  message(socket: LiveSocket): void {
    socket.close(CloseCode.PolicyViolation, NO_MESSAGES);
  }

  /** A closed socket is already unsubscribed by the transport: its shard places and its tab are given back. */
  close(socket: LiveSocket): void {
    const { data } = socket;
    this.fresh.delete(socket);
    if (data.pageShard !== undefined) this.leave(liveTopic(data.site, data.page), data.pageShard);
    if (data.siteShard !== undefined) this.leave(liveTopic(data.site, null), data.siteShard);
    const key = tabKey(data);
    if (this.held.get(key) === socket) {
      this.held.delete(key);
      this.signal(data, "released", this.now());
    }
    this.connected--;
    if (this.options.metrics) this.options.metrics.widgetsConnected = this.connected;
    this.options.admission?.release(data.address ?? "", false);
  }

  /** Once per tick: the frames due (one per changed watched topic, at most once per interval); held tabs announced again. */
  tick(time: number): Publication[] {
    this.reannounce(time);
    this.welcome();
    return this.frames.take(time);
  }

  /**
   * The new sockets' first counts, each sent to its socket alone. Sent at the tick after the
   * socket opened, once the signals announced since (its "held", other sockets' "released") have
   * gone over the bus: where the bus brings them back at once (one process), the counts are
   * exact; where it brings them later, a socket's own tab is still counted (LiveFrames.current).
   */
  private welcome(): void {
    for (const socket of this.fresh) {
      const { site, page, scope, tab } = socket.data;
      if (scope !== "site") socket.send(this.frames.current(site, page, tab));
      if (scope !== "page") socket.send(this.frames.current(site, null, tab));
    }
    this.fresh.clear();
  }

  private watch(socket: LiveSocket, page: string | null): number {
    const { site } = socket.data;
    const topic = liveTopic(site, page);
    const shard = this.shards.join(topic);
    socket.subscribe(shardTopic(topic, shard));
    return shard;
  }

  private leave(topic: string, shard: number): void {
    this.shards.leave(topic, shard);
    if (!this.shards.isWatched(topic)) this.frames.unwatched(topic);
  }

  private reannounce(time: number): void {
    let count = 0;
    for (const socket of this.held.values()) {
      if (time - (socket.data.announced ?? time) < this.options.reannounceMs || count++ >= REANNOUNCE_BATCH) return;
      this.hold(socket, time);
    }
  }

  private hold(socket: LiveSocket, time: number): void {
    const key = tabKey(socket.data);
    this.held.delete(key);
    this.held.set(key, socket);
    socket.data.announced = time;
    this.signal(socket.data, "held", time);
  }

  private signal({ site, tab, page }: LiveData, state: PresenceSignal["state"], time: number): void {
    this.announce({ time, site, tab, page, state });
  }
}
