import type { Publication } from "../stats/hub.ts";
import { LoopTurns } from "./loop-turns.ts";

/**
 * Writes each tick's frames to the transport, pass by pass (see TopicShards.passes): the transport
 * writes each pass before the next begins, and requests that arrived meanwhile are answered in
 * between. Ticks go out in order: a tick's frames wait until the previous tick's last pass.
 */
export class FanOut {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly publish: (publication: Publication) => void,
    private readonly passes: (publications: Publication[]) => Publication[][] = (all) => [all],
    /** How a pass waits for the event loop to turn (the transport writes it, requests are read). */
    private readonly turns = new LoopTurns(),
  ) {}

  /** Resolves with the milliseconds from the call until the last pass was written. */
  send(publications: Publication[]): Promise<number> {
    const started = performance.now();
    const done = this.last.then(async () => {
      for (const pass of this.passes(publications)) {
        for (const publication of pass) this.publish(publication);
        await this.turns.next();
      }
      return performance.now() - started;
    });
    this.last = done.catch(() => undefined);
    return done;
  }

  /** At shutdown nothing else waits: every pass at once. */
  sendNow(publications: Publication[]): void {
    for (const pass of this.passes(publications)) for (const publication of pass) this.publish(publication);
  }
}
