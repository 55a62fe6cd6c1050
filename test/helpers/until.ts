/** Polls `done` (which may ask a server) until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, done: () => Promise<boolean> | boolean, timeoutMs = 10_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(pollMs);
  }
}
