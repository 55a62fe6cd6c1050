/**
 * One page's view kept in step with the server: the socket's frames folded into the view state,
 * and a fresh snapshot asked for when the view falls out of step. No DOM: main.ts draws.
 */
import type { ViewFilters } from "../src/core/wire/view-filters.ts";
import { connect, type Connection, type ConnectionOptions, type ConnectionState, type IncomingFrame } from "./connection.ts";
import type { RewindFrame } from "./rewind-wire.ts";
import { applyFrame, initialState, snapshotRequest, type ViewState } from "./view-model.ts";
import type { ViewWindow } from "./view-window.ts";

export interface LiveViewOptions extends Omit<ConnectionOptions, "onFrame" | "onState"> {
  site: string | null;
  /** The view of the site the socket URL asks for: asked for again by the same name if the view falls out of step. */
  view?: { filters?: ViewFilters; window?: ViewWindow };
  /** Called after each frame that changed the view and each change of the connection. */
  onChange: (view: ViewState, connection: ConnectionState) => void;
  /** The client's clock, read when a frame arrives. */
  now?: () => number;
  /** The answers to this socket's rewind commands: they leave the live view as it is. */
  onRewind?: (frame: RewindFrame) => void;
}

export interface LiveView {
  readonly view: ViewState;
  readonly connection: Connection;
}

export function followLiveView(options: LiveViewOptions): LiveView {
  const { site, view: asked, onChange, onRewind, now = Date.now, ...connectionOptions } = options;
  let view = initialState(site, asked);
  const connection: Connection = connect({
    ...connectionOptions,
    onFrame(frame: IncomingFrame) {
      if (frame.type === "rewind") return onRewind?.(frame);
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
