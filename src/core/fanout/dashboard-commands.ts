/** What a dashboard's message may be, before its site and view are checked (see docs/protocol.md#commands). */
export type Command =
  | { type: "watch"; site: string; filters?: unknown; window?: unknown }
  | { type: "rewind"; at: number };

/** The command a message holds, or null for anything that is not one: the socket is then closed as for any bad command. */
export function parseCommand(message: string | Uint8Array): Command | null {
  if (typeof message !== "string") return null;
  let command: { type?: unknown; site?: unknown; filters?: unknown; window?: unknown; at?: unknown } | null;
  try {
    command = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof command !== "object" || command === null) return null;
  if (command.type === "watch" && typeof command.site === "string") {
    return { type: "watch", site: command.site, filters: command.filters, window: command.window };
  }
  if (command.type === "rewind" && typeof command.at === "number" && Number.isFinite(command.at)) return { type: "rewind", at: command.at };
  return null;
}
