/** The connection badge's words. Pure. */
import type { ConnectionState } from "./connection.ts";

export interface ConnectionLabel {
  /** One word: live, connecting, reconnecting, closed. */
  word: string;
  /** Extra words after it, e.g. "in 3s"; empty when none. */
  detail: string;
}

/** `now` is the client's clock, the one `retryAt` is on. */
export function describeConnection(state: ConnectionState, now: number): ConnectionLabel {
  switch (state.status) {
    case "open":
      return { word: "live", detail: "" };
    case "connecting":
      return { word: "connecting", detail: "" };
    case "reconnecting": {
      const countdown = `in ${Math.max(1, Math.ceil((state.retryAt - now) / 1000))}s`;
      return { word: "reconnecting", detail: state.reason ? `${countdown}: ${state.reason}` : countdown };
    }
    case "closed":
      return { word: "closed", detail: state.reason };
  }
}
