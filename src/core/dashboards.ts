import { SITES_TOPIC, siteTopic, type Hub } from "./hub.ts";
import { CloseCode } from "./protocol.ts";

/** The little each socket carries: which topic it watches. */
export interface DashboardData {
  /** null for the site list. */
  site: string | null;
}

/** All the core needs of a dashboard socket; transports adapt their own socket type to it. */
export interface DashboardSocket {
  readonly data: DashboardData;
  send(text: string): unknown;
  subscribe(topic: string): unknown;
  close(code?: number, reason?: string): unknown;
}

export function topicOf(data: DashboardData): string {
  return data.site === null ? SITES_TOPIC : siteTopic(data.site);
}

/**
 * Dashboard socket lifecycle. A socket gets the current snapshot on open and is subscribed to its
 * topic; after that every frame reaches it through the transport's topic publish, never through
 * a loop here.
 */
export class Dashboards {
  connected = 0;

  constructor(
    private readonly hub: Hub,
    private readonly now: () => number = Date.now,
  ) {}

  open(socket: DashboardSocket): void {
    const { site } = socket.data;
    socket.send(site === null ? this.hub.sitesSnapshot(this.now()) : this.hub.snapshot(site, this.now()));
    socket.subscribe(topicOf(socket.data));
    this.connected++;
  }

  /** Dashboards have nothing to say yet: anything they send is a protocol violation. */
  message(socket: DashboardSocket): void {
    socket.close(CloseCode.PolicyViolation, "dashboards send no messages");
  }

  close(): void {
    this.connected--;
  }
}
