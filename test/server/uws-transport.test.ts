/**
 * What is particular to Pulse on Node.js and uWebSockets.js; everything the two transports share
 * is tested over both (see test/helpers/transports.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { loadUws, UwsUnavailableError } from "../../src/server/uws-addon.ts";
import { addressText } from "../../src/server/uws-server.ts";
import { startServer, type ServerProcess } from "../helpers/server-process.ts";
import { nodeCommand } from "../helpers/transports.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

describe("loading uWebSockets.js", () => {
  test("a Node.js the npm build has no binary for is refused, naming it and what to install", () => {
    const node22 = { node: "22.11.0", modules: "127", platform: "linux", arch: "x64" };
    expect(() => loadUws(node22)).toThrow(UwsUnavailableError);
    expect(() => loadUws(node22)).toThrow("has no uWebSockets.js build for Node.js 22.11.0 (ABI 127) on linux-x64");
    expect(() => loadUws(node22)).toThrow("npm install uNetworking/uWebSockets.js#v20.52.0");
  });
});

describe("addresses as Bun.serve writes them", () => {
  test.each([
    ["127.0.0.1", "127.0.0.1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["0000:0000:0000:0000:0000:ffff:7f00:0001", "127.0.0.1"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["2001:0db8:0001:0000:0001:0000:0001:0001", "2001:db8:1:0:1:0:1:1"],
    ["fe80:0000:0000:0000:0000:0000:0000:0000", "fe80::"],
  ])("%s is %s", (text, written) => {
    expect(addressText(text)).toBe(written);
  });
});

describe("pulse on Node.js", () => {
  const refused = async (args: string[]) => {
    const child = Bun.spawn([...nodeCommand(), "serve", "--port", "0", "--data", "/nonexistent/pulse", ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    return { code: await child.exited, said: (await new Response(child.stderr).text()).trim() };
  };

  test("refuses what only the Bun binary does, with the reason, before touching anything", async () => {
    expect(await refused(["--redis", "redis://127.0.0.1:1"])).toEqual({ code: 2, said: "pulse: --redis needs the Bun binary (dist/pulse): Pulse reaches Redis through Bun's client" });
    expect(await refused(["--database", "postgres://127.0.0.1:1/pulse"])).toEqual({
      code: 2,
      said: "pulse: --database needs the Bun binary (dist/pulse): Pulse reaches PostgreSQL through Bun's client",
    });
  });
});

describe("a request uWebSockets.js 20.30 cannot parse", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ runtime: "node" });
  });
  afterAll(() => server.stop());

  // It answers nothing (Bun.serve answers 400): what bounds it is uWebSockets' 10-second idle timeout.
  test("is closed by the server within its idle timeout, and the server goes on answering", async () => {
    const port = Number(new URL(server.url).port);
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("GET /healthz HTTP/1.1\nHost: x\n\n"));
      socket.on("close", () => resolve(performance.now() - started));
      socket.on("error", () => {});
      setTimeout(() => (socket.destroy(), resolve(Number.POSITIVE_INFINITY)), 20_000);
    });
    expect(closedAfter).toBeLessThan(16_000);
    expect((await fetch(`${server.url}healthz`)).status).toBe(200);
  }, 25_000);
});
