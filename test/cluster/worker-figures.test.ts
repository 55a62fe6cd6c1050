import { describe, expect, test } from "bun:test";
import { clusterFigures, PRIMARY_SILENT_MS } from "../../src/control/ipc-control.ts";
import { Metrics } from "../../src/core/metrics.ts";

const cluster = (storageFault = "") => {
  const metrics = new Metrics();
  metrics.storedEvents = 7;
  metrics.storageFault = storageFault;
  return { snapshot: metrics.snapshot(), residentBytes: 1, processes: 3 };
};

describe("a worker's view of the cluster's figures", () => {
  test("as the primary sent them while it answers", () => {
    const figures = clusterFigures(cluster(), 900);
    expect(figures.metrics.storedEvents).toBe(7);
    expect(figures.metrics.storageFault).toBe("");
  });

  test("a primary silent for PRIMARY_SILENT_MS is a storage fault, which /healthz tells", () => {
    expect(clusterFigures(cluster(), PRIMARY_SILENT_MS + 1_000).metrics.storageFault).toBe(
      "the primary process has not answered for 11 s: events are not being stored",
    );
  });

  test("the primary's own fault is kept as it said it", () => {
    expect(clusterFigures(cluster("storage is failing"), PRIMARY_SILENT_MS).metrics.storageFault).toBe("storage is failing");
  });
});
