/**
 * Loads uWebSockets.js, a V8 addon, for the Node.js running Pulse. The official build, installed
 * from its repository, loads its own binary and throws when it has none for this Node. The build
 * published to npm (@trufflesuite/uws-js-unofficial, Node 16 to 20) would instead fall back to a
 * JavaScript server many times slower without a word, so its binary for this Node's ABI is loaded
 * directly, and there being none is an error that says what to install.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TemplatedApp, us_listen_socket } from "@trufflesuite/uws-js-unofficial";

/** What Pulse uses of the addon; the npm build's type declarations lag its binary (listen options, close). */
export interface Uws {
  App(): UwsApp;
  /** No permessage-deflate. */
  DISABLED: number;
  LIBUS_LISTEN_EXCLUSIVE_PORT: number;
  us_listen_socket_close(socket: us_listen_socket): void;
  us_socket_local_port(socket: us_listen_socket): number;
}

export interface UwsApp extends Omit<TemplatedApp, "listen"> {
  /** Calls `done` before it returns: with the listening socket, or false when the address could not be bound. */
  listen(host: string, port: number, options: number, done: (socket: us_listen_socket | false) => void): UwsApp;
  /** Closes the listening socket and every connection. */
  close(): void;
}

/** The official build's package name (npm install uNetworking/uWebSockets.js#v20.52.0). */
export const OFFICIAL_PACKAGE = "uWebSockets.js";
export const NPM_PACKAGE = "@trufflesuite/uws-js-unofficial";
const OFFICIAL_INSTALL = "npm install uNetworking/uWebSockets.js#v20.52.0";

export class UwsUnavailableError extends Error {}

/** Which Node.js this is: the addon is built for one ABI (`modules`), platform and architecture. */
export interface NodeRuntime {
  node: string;
  modules: string;
  platform: string;
  arch: string;
}

const THIS_NODE: NodeRuntime = { node: process.versions.node, modules: process.versions.modules, platform: process.platform, arch: process.arch };

/** The addon for this process, or a UwsUnavailableError saying why there is none and what to install. */
export function loadUws(node: NodeRuntime = THIS_NODE): Uws {
  const load = createRequire(import.meta.url);
  const official = tryOfficial(load);
  if (official) return official;
  const runtime = `Node.js ${node.node} (ABI ${node.modules}) on ${node.platform}-${node.arch}`;
  let packageDir: string;
  try {
    packageDir = dirname(load.resolve(`${NPM_PACKAGE}/package.json`));
  } catch {
    throw new UwsUnavailableError(`uWebSockets.js is not installed: npm install (it comes with ${NPM_PACKAGE} for Node.js 20), or ${OFFICIAL_INSTALL} for newer Node.js`);
  }
  const binary = join(packageDir, "binaries", `uws_${node.platform}_${node.arch}_${node.modules}.node`);
  if (!existsSync(binary)) {
    throw new UwsUnavailableError(`${NPM_PACKAGE} has no uWebSockets.js build for ${runtime}: run Pulse on Node.js 20, or install the official build for this Node.js with ${OFFICIAL_INSTALL}`);
  }
  try {
    return load(binary) as Uws;
  } catch (error) {
    throw new UwsUnavailableError(`uWebSockets.js did not load on ${runtime} (${(error as Error).message.split("\n")[0]}): install the official build with ${OFFICIAL_INSTALL}`, { cause: error });
  }
}

/** The official build when it is installed; its own load error (no binary for this Node) is passed on. */
function tryOfficial(load: NodeJS.Require): Uws | undefined {
  try {
    load.resolve(OFFICIAL_PACKAGE);
  } catch {
    return undefined;
  }
  try {
    return load(OFFICIAL_PACKAGE) as Uws;
  } catch (error) {
    throw new UwsUnavailableError(`the official uWebSockets.js build is installed but did not load: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
}
