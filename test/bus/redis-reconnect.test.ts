/** Reconnecting to Redis: waits that grow with jitter, and no try before the wait is over. */
import { describe, expect, test } from "bun:test";
import type { RedisClient } from "bun";
import { PacedClient, retryWait, RETRY_MS } from "../../src/bus/redis-reconnect.ts";

describe("retryWait", () => {
  test("half to one and a half times each step, the last step once they run out", () => {
    expect(retryWait(0, () => 0)).toBe(RETRY_MS[0] / 2);
    expect(retryWait(0, () => 0.999)).toBeLessThan(RETRY_MS[0] * 1.5);
    expect(retryWait(3, () => 0.5)).toBe(RETRY_MS[3]);
    expect(retryWait(50, () => 0)).toBe(RETRY_MS.at(-1)! / 2);
  });
});

describe("PacedClient", () => {
  test("after a failure it does not try again before the wait is over, and a success starts the waits over", async () => {
    let now = 0;
    let connects = 0;
    let up = false;
    const client = {
      connected: false,
      async connect() {
        connects++;
        if (!up) throw new Error("connection refused");
        client.connected = true;
      },
    };
    const paced = new PacedClient(client as unknown as RedisClient, () => now);
    expect(await paced.run(async () => "PONG")).toBeUndefined();
    expect(connects).toBe(1);
    // Within the first wait (at least 50 ms): not even tried.
    now = 40;
    expect(await paced.run(async () => "PONG")).toBeUndefined();
    expect(connects).toBe(1);
    now = 200;
    expect(await paced.run(async () => "PONG")).toBeUndefined();
    expect(connects).toBe(2);
    up = true;
    now = 10_000;
    expect(await paced.run(async () => "PONG")).toBe("PONG");
    expect(connects).toBe(3);
  });
});
