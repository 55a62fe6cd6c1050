import { describe, expect, test } from "bun:test";
import { byCpuPerFrame, medianRun, roundOrder } from "../../bench/rounds.ts";
import type { Report } from "../../src/loadtest/report.ts";
import { evaluateTargets, type BenchReport, type Results } from "../../bench/targets.ts";

const run = (acceptedPerSecond: number, label: string) => ({ pageviews: { acceptedPerSecond }, label }) as unknown as Report & { label: string };

describe("benchmark rounds", () => {
  test("each round starts with another server, and every server runs once a round", () => {
    const servers = ["pulse", "pulse-w2", "bare"];
    expect(roundOrder(servers, 0)).toEqual(["pulse", "pulse-w2", "bare"]);
    expect(roundOrder(servers, 1)).toEqual(["pulse-w2", "bare", "pulse"]);
    expect(roundOrder(servers, 2)).toEqual(["bare", "pulse", "pulse-w2"]);
    expect(roundOrder(servers, 3)).toEqual(roundOrder(servers, 0));
  });

  test("the median run is kept, with every round's rate in the order run", () => {
    const kept = medianRun([run(30_000.4, "a"), run(24_000, "b"), run(27_000, "c")]) as BenchReport & { label: string };
    expect(kept.label).toBe("c");
    expect(kept.roundRates).toEqual([30_000, 24_000, 27_000]);
  });

  test("where nothing is ingested, the run with the median CPU per delivered frame is kept; a run without frames counts as the costliest", () => {
    const perFrame = (allUs: number | null, label: string) =>
      ({ pageviews: { acceptedPerSecond: 0 }, cpuPerFrame: allUs === null ? null : { allUs }, label }) as unknown as Report & { label: string };
    const kept = medianRun([perFrame(53.7, "high"), perFrame(46.3, "low"), perFrame(49.0, "middle")], byCpuPerFrame) as Report & { label: string };
    expect(kept.label).toBe("middle");
    expect((medianRun([perFrame(null, "none"), perFrame(40, "a"), perFrame(45, "b")], byCpuPerFrame) as Report & { label: string }).label).toBe("b");
  });

  test("of two runs the slower is kept; one run is kept as it is, without rounds", () => {
    expect((medianRun([run(2, "fast"), run(1, "slow")]) as Report & { label: string }).label).toBe("slow");
    const single = medianRun([run(5, "only")]);
    expect(single.roundRates).toBeUndefined();
    expect(() => medianRun([])).toThrow("no runs");
  });
});

describe("the ingest target", () => {
  const ingestRun = (acceptedPerSecond: number, cpuCores: number, roundRates?: number[]) =>
    ({ latency: {}, pageviews: { acceptedPerSecond }, server: { cpuCores }, generator: { saturated: false }, ...(roundRates ? { roundRates } : {}) }) as unknown as BenchReport;

  test("is judged on the median rates, and shows each server's CPU per request", () => {
    const results: Results = new Map([["ingest", new Map([["pulse", ingestRun(24_000, 0.72, [23_000, 24_000, 25_000])], ["bare", ingestRun(30_000, 0.45, [30_000, 31_000, 29_000])]])]]);
    const target = evaluateTargets(results).find((t) => t.name.startsWith("ingest ≥ 80%"))!;
    expect(target.met).toBe(true);
    expect(target.detail).toBe("24000/s vs 30000/s = 80%; medians of rounds 23000, 24000, 25000 vs 30000, 31000, 29000; server CPU per request 30.0 µs vs 15.0 µs");
  });

  test("below 80% it is missed", () => {
    const results: Results = new Map([["ingest", new Map([["pulse", ingestRun(23_000, 0.7)], ["bare", ingestRun(30_000, 0.45)]])]]);
    expect(evaluateTargets(results).find((t) => t.name.startsWith("ingest ≥ 80%"))!.met).toBe(false);
  });
});
