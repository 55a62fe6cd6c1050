import { describe, expect, test } from "bun:test";
import { Metrics, type MetricsSnapshot } from "../../src/core/metrics.ts";

const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);

describe("Metrics across processes", () => {
  test("a snapshot survives a trip through JSON and renders the same", () => {
    const metrics = new Metrics();
    metrics.eventsAccepted = 7;
    metrics.eventsDropped.bot = 2;
    metrics.recordTick(0.01, 0.25);
    const copy = JSON.parse(JSON.stringify(metrics.snapshot())) as MetricsSnapshot;
    const gauges = { sites: 1, residentBytes: 100 };
    expect(Metrics.combine([copy]).render(gauges)).toBe(metrics.render(gauges));
  });

  test("combined, counts and connections add up and the tick figures are the slowest worker's", () => {
    const a = new Metrics();
    a.eventsAccepted = 10;
    a.dashboardsConnected = 3;
    a.eventsDropped["rate-limited"] = 1;
    a.recordTick(0.02, 0.25);
    const b = new Metrics();
    b.eventsAccepted = 5;
    b.dashboardsConnected = 4;
    b.storedEvents = 15;
    b.eventsDropped["rate-limited"] = 2;
    b.recordTick(0.3, 0.4);
    const text = Metrics.combine([a.snapshot(), b.snapshot()]).render({ sites: 2, residentBytes: 3, processes: 3 });
    expect(metric(text, "pulse_events_accepted_total")).toBe(15);
    expect(metric(text, "pulse_dashboards_connected")).toBe(7);
    expect(metric(text, "pulse_events_stored_total")).toBe(15);
    expect(metric(text, 'pulse_events_dropped_total{reason="rate-limited"}')).toBe(3);
    expect(metric(text, "pulse_ticks_total")).toBe(2);
    expect(metric(text, "pulse_last_tick_seconds")).toBe(0.3);
    expect(metric(text, "pulse_tick_interval_seconds")).toBe(0.4);
    expect(metric(text, "pulse_processes")).toBe(3);
  });
});
