import type { Channel } from "../../src/bus/ipc-bus.ts";

export interface Pipe {
  ends: [Channel, Channel];
  /** Both processes are told the channel closed; nothing more is delivered. */
  close(): void;
}

/**
 * A pair of connected channels, delivering asynchronously and in order, like an IPC pipe. With
 * `delayMs`, what reaches end 1 arrives that much later (a process slow to read).
 */
export function pipe(delayMs = 0): Pipe {
  const handlers: [Array<(message: unknown) => void>, Array<(message: unknown) => void>] = [[], []];
  const closeHandlers: Array<() => void> = [];
  let closed = false;
  const deliver = (to: 0 | 1, message: unknown) => {
    if (closed) return;
    for (const handler of handlers[to]) handler(message);
  };
  const end = (mine: 0 | 1): Channel => ({
    // Through JSON, as a real channel serializes.
    send: (message) => {
      if (closed) return;
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      if (mine === 0 && delayMs > 0) setTimeout(() => deliver(1, copy), delayMs);
      else queueMicrotask(() => deliver(mine === 0 ? 1 : 0, copy));
    },
    onMessage: (handler) => void handlers[mine].push(handler),
    onClose: (handler) => void closeHandlers.push(handler),
  });
  return {
    ends: [end(0), end(1)],
    close() {
      if (closed) return;
      closed = true;
      for (const handler of closeHandlers) handler();
    },
  };
}
