/**
 * A real server (one process) sent 20,000 events, each with a User-Agent of its own that the parser
 * does not know and that is 12 KB long: prints the server's RSS before and after, and what the
 * site's snapshot still shows (its top lists must stay full and every label short).
 * Run: bun build.ts && bun bench/hostile-user-agents.ts [requests]
 */
import type { SnapshotFrame } from "../src/core/wire/protocol.ts";
import { startServer } from "../test/helpers/server-process.ts";

const REQUESTS = Number(process.argv[2] ?? 20_000);
const IN_FLIGHT = 32;
const FILLER = "a".repeat(12_000);

const server = await startServer({ args: ["--tick-ms", "250"] });
const rssMb = async () => {
  const text = await (await fetch(`${server.url}metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)![1]) / 2 ** 20;
};
await Bun.sleep(1000);
const before = await rssMb();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < REQUESTS) {
      const i = next++;
      const response = await fetch(`${server.url}api/event`, {
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": `Mozilla/5.0 (X11) ${i} ${FILLER}/1.0 (x` },
        body: JSON.stringify({ n: "pageview", u: `https://hostile.test/p${i % 50}`, d: "hostile.test" }),
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`status ${response.status}`);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await Bun.sleep(3000);
const after = await rssMb();
const dashboard = await server.dashboard("hostile.test");
const snapshot = (await dashboard.waitFor((frame) => frame.type === "snapshot")) as SnapshotFrame;
const lists = ["pages", "browsers", "os"].map((name) => {
  const list = snapshot.stats[name as "pages" | "browsers" | "os"];
  return `${name} ${list.length} (longest label ${Math.max(...list.map(([label]) => label.length))})`;
});
console.log(`${REQUESTS} events with 12 KB User-Agents in ${seconds.toFixed(1)} s: RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB (+${(after - before).toFixed(1)} MB); snapshot: ${lists.join(", ")}`);
dashboard.socket.close();
await server.stop();
