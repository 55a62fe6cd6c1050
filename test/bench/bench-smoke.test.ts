/**
 * The benchmark's smoke run: every scenario, tiny and short, against Pulse and each baseline,
 * so `npm run bench` is known to work without taking fifteen minutes in CI.
 */
import { expect, test } from "bun:test";

test("bench/run.ts --smoke measures every server in every scenario", async () => {
  const run = Bun.spawn([process.execPath, "bench/run.ts", "--smoke"], {
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, markdown, log] = await Promise.all([run.exited, new Response(run.stdout).text(), new Response(run.stderr).text()]);
  expect(code).toBe(0);
  expect(log).not.toContain("failed");
  // The results table's rows: eleven cells each.
  const rows = markdown
    .split("\n")
    .filter((line) => /^\| (2k@200|10k@1000|15k@5000|15k@5000 views|stalled|ingest) \| (pulse|naive|socketio|bare) \| \d/.test(line) && line.split("|").length === 13);
  // Four scenarios with three servers, the ingest ceiling with two, and the filtered views with Pulse.
  expect(rows.length).toBe(4 * 3 + 2 + 1);
  expect(markdown).toContain("Pulse against each baseline");
  // The widgets' scenario: every widget open, none lost, its counts checked; the floor ran beside Pulse in both its scenarios.
  expect(markdown).toMatch(/^\| 15k widgets \| pulse \| 150 of 150 \| 0 \| [\d.]+ \/ [\d.]+ ms \| \d+ \| [\d.]+ \| \d+ of 150 \|$/m);
  expect(markdown).toMatch(/^\| 15k@5000 \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/m);
  expect(markdown).toMatch(/^\| 15k widgets \| [\d.]+ \| [\d.]+ \| [\d.]+× \|/m);
  // And where delivery is nearly all there is to do, the ratios the target is checked on: in one
  // second of smoke there may be no frame (a pageview a second) or no CPU time measured to divide.
  expect(markdown).toMatch(/^\| 15k frames only \| ([\d.]+|–) \| [\d.]+ \| ([\d.]+|–)× \|/m);
  expect(markdown).toMatch(/^\| 15k widgets frames only \| ([\d.]+|–) \| [\d.]+ \| ([\d.]+|–)× \|/m);
}, 150_000);
