/**
 * One page's view kept in step with the server: the socket's frames folded into the view state,
 * and a fresh snapshot asked for when the view falls out of step. No DOM: main.ts draws.
 */
import type { ServerFrame } from "../src/core/wire/protocol.ts";
import { connect, type Connection, type ConnectionOptions, type ConnectionState } from "./connection.ts";
import { applyFrame, initialState, snapshotRequest, type ViewState } from "./view-model.ts";

export interface LiveViewOptions extends Omit<ConnectionOptions, "onFrame" | "onState"> {
  site: string | null;
  /** Called after each frame that changed the view and each change of the connection. */
  onChange: (view: ViewState, connection: ConnectionState) => void;
  /** The client's clock, read when a frame arrives. */
  now?: () => number;
}

export interface LiveView {
  readonly view: ViewState;
  readonly connection: Connection;
}

export function followLiveView(options: LiveViewOptions): LiveView {
  const { site, onChange, now = Date.now, ...connectionOptions } = options;
  let view = initialState(site);
  const connection: Connection = connect({
    ...connectionOptions,
    onFrame(frame: ServerFrame) {
      const next = applyFrame(view, frame, now());
      if (next === view) return;
      const request = snapshotRequest(view, next);
      view = next;
      // Sent on the socket the frame came by; if it closes first, the reconnect brings a snapshot.
      if (request !== null) connection.send(request);
      onChange(view, connection.state);
    },
    onState(state) {
      onChange(view, state);
    },
  });
  return {
    get view() {
      return view;
    },
    connection,
  };
}
