/**
 * The transports a server test runs against, parameterised rather than copied: Bun.serve (the
 * binary's) and uWebSockets.js on Node.js (dist/pulse-node.mjs, built by `bun build.ts`).
 */
import { describe } from "bun:test";
import { existsSync } from "node:fs";

export type Runtime = "bun" | "node";

export const TRANSPORTS: ReadonlyArray<{ name: string; runtime: Runtime }> = [
  { name: "Bun.serve", runtime: "bun" },
  { name: "uWebSockets.js on Node.js", runtime: "node" },
];

/** `describe` once per transport: `eachTransport("on %s", (name, runtime) => { … })`. */
export const eachTransport = describe.each(TRANSPORTS.map(({ name, runtime }) => [name, runtime] as const));

const ROOT = new URL("../../", import.meta.url).pathname;
export const NODE_ENTRY = "dist/pulse-node.mjs";

/** How to run Pulse on Node.js: the Node on PATH (PULSE_TEST_NODE to pick another) and the built entry. */
export function nodeCommand(): string[] {
  if (!existsSync(`${ROOT}${NODE_ENTRY}`)) throw new Error(`${NODE_ENTRY} is missing: run \`bun build.ts\` first`);
  return [process.env.PULSE_TEST_NODE ?? "node", NODE_ENTRY];
}
