/**
 * Baseline: the ingest ceiling. Bun.serve answering every request `202 ok` and doing nothing else,
 * so a benchmark can show how much of Bun's raw request rate Pulse's ingest keeps.
 * Run: bun bench/baselines/bare-202-server.ts [--port P] [--host ADDR]   (port 0 picks one)
 */
const port = Number(flag("--port") ?? 3003);
const host = flag("--host") ?? "0.0.0.0";

const server = Bun.serve({
  port,
  hostname: host,
  async fetch(req) {
    // Pulse must read every ingest body, so the ceiling reads it too (and discards it): otherwise
    // the comparison would credit this server for work it skipped. Only POSTs carry bodies.
    if (req.method === "POST") await req.arrayBuffer();
    return new Response("ok", { status: 202 });
  },
});

console.log(`listening on ${server.port}`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

// A module, not a script: its top-level names stay out of the global scope tsc checks.
export {};
