/**
 * Dashboard socket abuse: real sockets (Bun's WebSocket, with the server's Origin and the token)
 * that send what is not a command, and raw TCP sockets that break RFC 6455 after the handshake.
 * Each case resolves to a problem description, or undefined when the server did what
 * docs/protocol.md says ("Messages from dashboards", "Close codes").
 */
import type { SnapshotFrame } from "../../src/core/wire/protocol.ts";
import { openDashboard } from "../helpers/dashboard-client.ts";
import { FUZZ_SITE } from "./cases.ts";
import { ODD_CHARACTERS, type Rng } from "./generators.ts";
import { abuseWebSocket, clientFrame } from "./raw-websocket.ts";
import type { Target } from "./request-cases.ts";

export interface SocketOutcome {
  category: "ws-socket" | "ws-raw";
  label: string;
  /** What went wrong, if anything. */
  problem?: string;
}

const MAX_MESSAGE_BYTES = 1024;
const CLOSE_WITHIN_MS = 3000;
const encoder = new TextEncoder();

/** `mayKeepOpen`: raw-socket garbage after which the transport may rightly keep the socket open (see uws-leniency.ts). */
export function socketCase(rng: Rng, target: Target, mayKeepOpen?: ReadonlySet<string>): Promise<SocketOutcome> {
  return rng.chance(0.5) ? dashboardCase(rng, target) : rawSocketCase(rng, target, mayKeepOpen);
}

async function dashboardCase(rng: Rng, { origin, token }: Target): Promise<SocketOutcome> {
  const kind = rng.int(5);
  const site = rng.pick([FUZZ_SITE, "FUZZ.test", "other.test"]);
  const label = ["random text", "binary data", "a message over 1 KiB", "a bad JSON command", "a valid watch"][kind]!;
  const outcome = (problem?: string): SocketOutcome => ({ category: "ws-socket", label, ...(problem ? { problem } : {}) });
  let client;
  try {
    client = await openDashboard(`${origin.replace("http", "ws")}/ws?site=${site}`, origin, token);
  } catch (error) {
    return outcome(`could not open: ${String(error)}`);
  }
  try {
    const first = await client.waitFor((frame) => frame.type === "snapshot", CLOSE_WITHIN_MS);
    let expected: number;
    switch (kind) {
      case 0: {
        // Never a JSON object with type "watch", and within the size limit.
        const text = rng.chance(0.3) ? "x".repeat(MAX_MESSAGE_BYTES) : rng.text(rng.between(1, 100), ODD_CHARACTERS);
        client.socket.send(text);
        expected = encoder.encode(text).length > MAX_MESSAGE_BYTES ? 1009 : 1008;
        break;
      }
      case 1: {
        const length = rng.pick([rng.between(1, MAX_MESSAGE_BYTES), rng.between(MAX_MESSAGE_BYTES + 1, 4096)]);
        client.socket.send(rng.bytes(length));
        expected = length > MAX_MESSAGE_BYTES ? 1009 : 1008;
        break;
      }
      case 2: {
        client.socket.send(JSON.stringify({ type: "watch", site: FUZZ_SITE, pad: "p".repeat(rng.between(MAX_MESSAGE_BYTES, 8000)) }));
        expected = 1009;
        break;
      }
      case 3: {
        const command = rng.pick(['{"type":"watch"}', '{"type":"watch","site":5}', '{"type":"unwatch","site":"fuzz.test"}', '{"type":"watch","site":"bad..site"}', '{"type":"watch","site":"\\ud800.test"}', "null", "[]", '"watch"', '{"type":"watch","site":"fuzz.test"', '{"__proto__":{"type":"watch","site":"fuzz.test"}}', '{"type":"rewind"}', '{"type":"rewind","at":"now"}', '{"type":"watch","site":"fuzz.test","window":2}']);
        client.socket.send(command);
        expected = 1008;
        break;
      }
      default: {
        client.socket.send(JSON.stringify({ type: "watch", site: FUZZ_SITE }));
        const snapshot = (await client.waitFor((frame) => frame.type === "snapshot" && frame !== first, CLOSE_WITHIN_MS)) as SnapshotFrame;
        if (snapshot.site !== FUZZ_SITE) return outcome(`the snapshot after watch is for ${snapshot.site}`);
        const closed = await Promise.race([client.closed, Bun.sleep(150).then(() => null)]);
        return outcome(closed ? `a valid watch was closed with ${closed.code} ${closed.reason}` : undefined);
      }
    }
    const closed = await Promise.race([client.closed, Bun.sleep(CLOSE_WITHIN_MS).then(() => null)]);
    if (!closed) return outcome(`still open ${CLOSE_WITHIN_MS} ms later`);
    return outcome(closed.code === expected ? undefined : `closed with ${closed.code} "${closed.reason}", expected ${expected}`);
  } catch (error) {
    return outcome(String(error));
  } finally {
    client.socket.close();
  }
}

/** How long a socket the transport may keep open after garbage is watched (see uws-leniency.ts). */
const MAY_KEEP_OPEN_WAIT_MS = 500;

/** 0xFF is a final frame with every RSV bit and a reserved opcode: whatever came before, it ends here. */
const TERMINATOR = new Uint8Array(MAX_MESSAGE_BYTES + 200).fill(0xff);

async function rawSocketCase(rng: Rng, { port, origin, token }: Target, mayKeepOpen?: ReadonlySet<string>): Promise<SocketOutcome> {
  const text = encoder.encode('{"type":"watch","site":"fuzz.test"}');
  const [label, garbage] = rng.pick<readonly [string, Uint8Array]>([
    ["random bytes", new Uint8Array([...rng.bytes(rng.between(1, 3000)), ...TERMINATOR])],
    ["an unmasked frame", clientFrame({ opcode: 1, payload: text, masked: false })],
    ["a reserved opcode", clientFrame({ opcode: rng.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload: rng.bytes(rng.int(20)) })],
    ["RSV bits set", clientFrame({ opcode: 1, rsv: rng.between(1, 7), payload: text })],
    ["a length of 2^63", clientFrame({ opcode: rng.pick([1, 2]), declaredLength: 2n ** 63n })],
    ["a length of 2^64 - 1", clientFrame({ opcode: 1, declaredLength: 2n ** 64n - 1n })],
    ["a 16-bit length over the limit", clientFrame({ opcode: 1, declaredLength: BigInt(rng.between(MAX_MESSAGE_BYTES + 1, 65535)) })],
    ["a fragmented ping", clientFrame({ opcode: 9, fin: false })],
    ["a ping over 125 bytes", clientFrame({ opcode: 9, payload: rng.bytes(rng.between(126, 1000)) })],
    ["a continuation without a start", clientFrame({ opcode: 0, payload: text })],
    ["invalid UTF-8 in a text frame", clientFrame({ opcode: 1, payload: Uint8Array.from([0x7b, 0xff, 0xfe, 0x80]) })],
    ["a close frame with code 999", clientFrame({ opcode: 8, payload: Uint8Array.from([0x03, 0xe7]) })],
    ["a close frame of one byte", clientFrame({ opcode: 8, payload: Uint8Array.from([0x03]) })],
    ["a new text frame inside a fragmented one", new Uint8Array([...clientFrame({ opcode: 1, fin: false, payload: text.subarray(0, 5) }), ...clientFrame({ opcode: 1, payload: text })])],
    ["fragments adding up past 1 KiB", new Uint8Array([...clientFrame({ opcode: 1, fin: false, payload: new Uint8Array(700).fill(32) }), ...clientFrame({ opcode: 0, payload: new Uint8Array(700).fill(32) })])],
  ]);
  // What the transport closes, it closes at once: a socket it may keep is not waited on for long.
  const closeWithin = mayKeepOpen?.has(label) ? MAY_KEEP_OPEN_WAIT_MS : CLOSE_WITHIN_MS;
  const result = await abuseWebSocket(port, `/ws?site=${FUZZ_SITE}`, { Origin: origin, Authorization: `Bearer ${token}` }, garbage, closeWithin);
  const outcome = (problem?: string): SocketOutcome => ({ category: "ws-raw", label, ...(problem ? { problem } : {}) });
  if (!result.upgraded) return outcome("the handshake was refused");
  if (result.end === "timeout") return mayKeepOpen?.has(label) ? outcome() : outcome(`still open ${closeWithin} ms after the garbage`);
  // Random bytes may hold a well-formed close frame, which the server answers with its code: any code goes.
  if (label !== "random bytes" && result.closeCode !== undefined && ![1002, 1007, 1008, 1009].includes(result.closeCode)) return outcome(`closed with ${result.closeCode}`);
  return outcome();
}
