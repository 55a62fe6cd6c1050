/**
 * When to connect to Redis again after it failed: after a wait that doubles, up to 5 s, with
 * jitter, so that nodes that lost Redis together do not all come back at the same moment, and a
 * node does not try on every timer while Redis is away.
 */
import type { RedisClient } from "bun";

/** Backoff after a failed command, doubled up to the last, with jitter (RedisBus retries alike). */
export const RETRY_MS = [100, 200, 500, 1_000, 2_000, 5_000] as const;

/** A wait for try `attempt` (from 0): between half and one and a half times its step. */
export function retryWait(attempt: number, random: () => number = Math.random): number {
  const step = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
  return step / 2 + random() * step;
}

/** Runs commands on a client that reconnects by itself, paced by `retryWait` while Redis fails. */
export class PacedClient {
  private failures = 0;
  private notBefore = 0;

  constructor(
    readonly client: RedisClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The command's answer, or undefined when Redis does not answer (or it is too soon to try again). */
  async run<T>(command: (client: RedisClient) => Promise<T>): Promise<T | undefined> {
    if (this.now() < this.notBefore) return undefined;
    try {
      if (!this.client.connected) await this.client.connect();
      const answer = await command(this.client);
      this.failures = 0;
      return answer;
    } catch {
      this.notBefore = this.now() + retryWait(this.failures++);
      return undefined;
    }
  }
}
