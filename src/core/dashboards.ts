import { normalizeSite } from "./event-input.ts";
import { SITES_TOPIC, siteTopic, type Hub } from "./hub.ts";
import { CloseCode } from "./protocol.ts";
import type { Metrics } from "./metrics.ts";
import type { ConnectionCounter } from "./rate-limiter.ts";

/** The little each socket carries. */
export interface DashboardData {
  /** The site watched; null for the site list. */
  site: string | null;
  /** Whether the upgrade carried the token (else only public sites may be watched). */
  authorized: boolean;
  /** The client address, kept only while --max-dashboards-per-ip counts sockets. */
  address?: string;
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
  dashboardsPerIp?: ConnectionCounter;
  metrics?: Metrics;
  now?: () => number;
}

/**
 * Dashboard socket lifecycle. A socket gets the current snapshot on open and is subscribed to its
 * topic; after that every frame reaches it through the transport's topic publish, never through
 * a loop here. The one command a dashboard may send is `{"type":"watch","site":…}` to switch site.
 */
export class Dashboards {
  connected = 0;
  private readonly now: () => number;

  constructor(
    private readonly hub: Hub,
    private readonly options: DashboardsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  open(socket: DashboardSocket): void {
    this.watch(socket, socket.data.site);
    this.connected++;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
  }

  message(socket: DashboardSocket, message: string | Uint8Array): void {
    const command = parseCommand(message);
    if (!command) return void socket.close(CloseCode.PolicyViolation, "unknown command");
    const site = normalizeSite(command.site);
    if (!site) return void socket.close(CloseCode.PolicyViolation, "site must be a host name");
    if (!socket.data.authorized && !this.options.publicSites?.includes(site)) {
      return void socket.close(CloseCode.PolicyViolation, "this site needs the access token");
    }
    socket.unsubscribe(topicOf(socket.data.site));
    socket.data.site = site;
    this.watch(socket, site);
  }

  close(socket: DashboardSocket): void {
    this.connected--;
    if (this.options.metrics) this.options.metrics.dashboardsConnected = this.connected;
    if (socket.data.address !== undefined) this.options.dashboardsPerIp?.close(socket.data.address);
  }

  private watch(socket: DashboardSocket, site: string | null): void {
    socket.send(site === null ? this.hub.sitesSnapshot(this.now()) : this.hub.snapshot(site, this.now()));
    socket.subscribe(topicOf(site));
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
