/** A WebSocket and a clock the UI tests drive by hand: the test plays the server. */
import type { SocketLike, Timers } from "../../ui/connection.ts";

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

/** A clock that only moves when the test says so. */
export class FakeTimers implements Timers {
  time = 0;
  private nextId = 1;
  private pending = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  now(): number {
    return this.time;
  }
  get count(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}
