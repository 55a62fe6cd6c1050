import { takeCommand, TOO_MANY_COMMANDS, type CommandAllowance } from "./command-allowance.ts";
import { normalizeSite } from "../ingest/event-input.ts";
import { SITES_TOPIC, siteTopic, type Hub } from "../stats/hub.ts";
import { CloseCode } from "../wire/protocol.ts";
import type { Metrics } from "../metrics.ts";
import type { SocketAdmission } from "./socket-admission.ts";
import { shardTopic, TopicShards } from "./topic-shards.ts";
import { isFilterError, viewFromCommand, viewTopic, WHOLE_SITE, type CanonicalView } from "../wire/view-filters.ts";
import { parseCommand, type Command } from "./dashboard-commands.ts";
import { RewindBudget } from "./rewind-budget.ts";

/** The little each socket carries. */
export interface DashboardData extends CommandAllowance {
  /** The site watched; null for the site list. */
  site: string | null;
  /** The view of the site watched (filters, window), in canonical form; absent for the whole site over 30 minutes. */
  view?: CanonicalView;
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

export function topicOf(site: string | null, view?: CanonicalView): string {
  if (site === null) return SITES_TOPIC;
  return view && view.key !== "" ? viewTopic(site, view.key) : siteTopic(site);
}

export interface DashboardsOptions {
  publicSites?: readonly string[];
  /** Told when a socket closes, so its place is free again. */
  admission?: SocketAdmission;
  metrics?: Metrics;
  now?: () => number;
  shards?: TopicShards;
  /** What rewinds may read (rewind-budget.ts); the default is the process's. */
  rewindBudget?: RewindBudget;
}

/**
 * Dashboard socket lifecycle. A socket gets the current snapshot on open and is subscribed to its
 * topic; after that every frame reaches it through the transport's topic publish, never through
 * a loop here. A dashboard may send `{"type":"watch","site":…,"filters":…,"window":…}` to switch
 * site or view, and `{"type":"rewind","at":…}` to get its view as it was then (sent to it alone,
 * like a snapshot): a few commands at once and one a second on average (see command-allowance.ts).
 * Rewinds share the process's budget of hits read: past it, each socket's latest request waits
 * for a later tick, first come first served.
 */
export class Dashboards {
  connected = 0;
  /** Who listens on which shard of each topic: the tick publishes by it. */
  readonly shards: TopicShards;
  private readonly now: () => number;

  private readonly rewindBudget: RewindBudget;
  /** Sockets whose rewind waits for the budget, with the moment each asked for last, in the order they asked. */
  private readonly waitingRewinds = new Map<DashboardSocket, number>();

  constructor(
    private readonly hub: Hub,
    private readonly options: DashboardsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.shards = options.shards ?? new TopicShards();
    this.rewindBudget = options.rewindBudget ?? new RewindBudget();
  }

  open(socket: DashboardSocket): void {
    this.watch(socket);
    this.connected++;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
  }

  message(socket: DashboardSocket, message: string | Uint8Array): void {
    if (!takeCommand(socket.data, this.now())) return void socket.close(CloseCode.PolicyViolation, TOO_MANY_COMMANDS);
    const command = parseCommand(message);
    if (!command) return void socket.close(CloseCode.PolicyViolation, "unknown command");
    if (command.type === "rewind") return this.rewind(socket, command.at);
    this.switchView(socket, command);
  }

  private switchView(socket: DashboardSocket, command: Extract<Command, { type: "watch" }>): void {
    const site = normalizeSite(command.site);
    if (!site) return void socket.close(CloseCode.PolicyViolation, "site must be a host name");
    if (!socket.data.authorized && !this.options.publicSites?.includes(site)) {
      return void socket.close(CloseCode.PolicyViolation, "this site needs the access token");
    }
    const view = viewFromCommand(command.filters, command.window);
    if (isFilterError(view)) return void socket.close(CloseCode.PolicyViolation, view.error);
    this.unwatch(socket);
    // A rewind asked for the view it leaves: the page asks again for the new one.
    this.waitingRewinds.delete(socket);
    socket.data.site = site;
    if (view.key === "") delete socket.data.view;
    else socket.data.view = view;
    this.watch(socket);
  }

  /** The socket's view as it was at `at`: sent to it alone, never published. */
  private rewind(socket: DashboardSocket, at: number): void {
    const site = socket.data.site;
    if (site === null) return void socket.close(CloseCode.PolicyViolation, "rewind needs a site: watch one first");
    // Waiting already: it keeps its place, and the moment it asks for now is the one answered.
    if (this.waitingRewinds.has(socket) || !this.answerRewind(socket, site, at)) this.waitingRewinds.set(socket, at);
  }

  /** Answers the rewinds that waited, in the order they were asked, as far as the budget goes; once a tick. */
  answerWaitingRewinds(): void {
    for (const [socket, at] of this.waitingRewinds) {
      const site = socket.data.site;
      if (site !== null && !this.answerRewind(socket, site, at)) return;
      this.waitingRewinds.delete(socket);
    }
  }

  /** Sends the socket its view as it was at `at` when the budget allows the hits it reads. */
  private answerRewind(socket: DashboardSocket, site: string, at: number): boolean {
    const view = socket.data.view ?? WHOLE_SITE;
    const now = this.now();
    if (!this.rewindBudget.take(this.hub.rewindCost(site, view, at, now), now)) return false;
    socket.send(this.hub.rewind(site, view, at, now));
    if (this.options.metrics) this.options.metrics.rewinds++;
    return true;
  }

  /** A closed socket is already unsubscribed by the transport; only its shard place is freed. */
  close(socket: DashboardSocket): void {
    this.waitingRewinds.delete(socket);
    if (socket.data.shard !== undefined) this.shards.leave(topicOf(socket.data.site, socket.data.view), socket.data.shard);
    this.connected--;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
    this.options.admission?.release(socket.data.address ?? "", socket.data.authorized);
  }

  private watch(socket: DashboardSocket): void {
    const { site, view } = socket.data;
    const snapshot = this.snapshot(site, view);
    // Past the cap of views of a site: the page learns why from the close reason, and may retry.
    if (typeof snapshot !== "string") return void socket.close(CloseCode.TryAgainLater, snapshot.refused);
    socket.send(snapshot);
    const topic = topicOf(site, view);
    const shard = this.shards.join(topic);
    socket.data.shard = shard;
    socket.subscribe(shardTopic(topic, shard));
  }

  private snapshot(site: string | null, view: CanonicalView | undefined): string | { refused: string } {
    if (site === null) return this.hub.sitesSnapshot(this.now());
    if (!view || view.key === "") return this.hub.snapshot(site, this.now());
    const opening = this.hub.openView(site, view, this.now());
    return "snapshot" in opening ? opening.snapshot : opening;
  }

  private unwatch(socket: DashboardSocket): void {
    const shard = socket.data.shard;
    if (shard === undefined) return;
    const topic = topicOf(socket.data.site, socket.data.view);
    socket.unsubscribe(shardTopic(topic, shard));
    this.shards.leave(topic, shard);
    delete socket.data.shard;
  }
}
