import { takeCommand, TOO_MANY_COMMANDS, type CommandAllowance } from "./command-allowance.ts";
import { normalizeSite } from "../ingest/event-input.ts";
import { SITES_TOPIC, siteTopic, type Hub } from "../stats/hub.ts";
import { CloseCode } from "../wire/protocol.ts";
import type { Metrics } from "../metrics.ts";
import type { SocketAdmission } from "./socket-admission.ts";
import { shardTopic, TopicShards } from "./topic-shards.ts";

/** The little each socket carries. */
export interface DashboardData extends CommandAllowance {
  /** The site watched; null for the site list. */
  site: string | null;
  /** Whether the upgrade carried the token (else only public sites may be watched). */
  authorized: boolean;
  /** The client address, kept only for a socket without the token while --max-dashboards-per-ip counts them. */
  address?: string;
  /** The shard of the site's topic this socket is subscribed to (see TopicShards). */
  shard?: number;
}

/** All the core needs of a dashboard socket; transports adapt their own socket type to it. */
export interface DashboardSocket {
  readonly data: DashboardData;
  send(text: string): unknown;
  subscribe(topic: string): unknown;
  unsubscribe(topic: string): unknown;
  close(code?: number, reason?: string): unknown;
}

export function topicOf(site: string | null): string {
  return site === null ? SITES_TOPIC : siteTopic(site);
}

export interface DashboardsOptions {
  publicSites?: readonly string[];
  /** Told when a socket closes, so its place is free again. */
  admission?: SocketAdmission;
  metrics?: Metrics;
  now?: () => number;
  shards?: TopicShards;
}

/**
 * Dashboard socket lifecycle. A socket gets the current snapshot on open and is subscribed to its
 * topic; after that every frame reaches it through the transport's topic publish, never through
 * a loop here. The one command a dashboard may send is `{"type":"watch","site":…}` to switch site,
 * a few at once and one a second on average (see command-allowance.ts).
 */
export class Dashboards {
  connected = 0;
  /** Who listens on which shard of each topic: the tick publishes by it. */
  readonly shards: TopicShards;
  private readonly now: () => number;

  constructor(
    private readonly hub: Hub,
    private readonly options: DashboardsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.shards = options.shards ?? new TopicShards();
  }

  open(socket: DashboardSocket): void {
    this.watch(socket, socket.data.site);
    this.connected++;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
  }

  message(socket: DashboardSocket, message: string | Uint8Array): void {
    if (!takeCommand(socket.data, this.now())) return void socket.close(CloseCode.PolicyViolation, TOO_MANY_COMMANDS);
    const command = parseCommand(message);
    if (!command) return void socket.close(CloseCode.PolicyViolation, "unknown command");
    const site = normalizeSite(command.site);
    if (!site) return void socket.close(CloseCode.PolicyViolation, "site must be a host name");
    if (!socket.data.authorized && !this.options.publicSites?.includes(site)) {
      return void socket.close(CloseCode.PolicyViolation, "this site needs the access token");
    }
    this.unwatch(socket);
    socket.data.site = site;
    this.watch(socket, site);
  }

  /** A closed socket is already unsubscribed by the transport; only its shard place is freed. */
  close(socket: DashboardSocket): void {
    this.shards.leave(topicOf(socket.data.site), socket.data.shard ?? 0);
    this.connected--;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
    this.options.admission?.release(socket.data.address ?? "", socket.data.authorized);
  }

  private watch(socket: DashboardSocket, site: string | null): void {
    socket.send(site === null ? this.hub.sitesSnapshot(this.now()) : this.hub.snapshot(site, this.now()));
    const topic = topicOf(site);
    const shard = this.shards.join(topic);
    socket.data.shard = shard;
    socket.subscribe(shardTopic(topic, shard));
  }

  private unwatch(socket: DashboardSocket): void {
    const topic = topicOf(socket.data.site);
    const shard = socket.data.shard ?? 0;
    socket.unsubscribe(shardTopic(topic, shard));
    this.shards.leave(topic, shard);
  }
}

function parseCommand(message: string | Uint8Array): { type: "watch"; site: string } | null {
  if (typeof message !== "string") return null;
  try {
    const command = JSON.parse(message) as { type?: unknown; site?: unknown };
    return command?.type === "watch" && typeof command.site === "string" ? { type: "watch", site: command.site } : null;
  } catch {
    return null;
  }
}
