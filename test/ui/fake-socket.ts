/** A WebSocket the UI tests drive by hand: the test plays the server. */
import type { SocketLike } from "../../ui/connection.ts";

/** Stands in for the browser's WebSocket: the test plays the server. */
export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  closedWith: { code?: number; reason?: string } | null = null;
  /** What the page sent, oldest first. */
  readonly sent: string[] = [];

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }
  serverOpens(): void {
    this.onopen?.(new Event("open"));
  }
  serverSends(data: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  serverCloses(code: number, reason = ""): void {
    this.onclose?.({ code, reason } as CloseEvent);
  }
}
