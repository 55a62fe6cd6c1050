import { describe, expect, test } from "bun:test";
import { admissionLimits, SocketAdmission } from "../../../src/core/fanout/socket-admission.ts";

const A = "203.0.113.1";
const B = "203.0.113.2";

/** Admits `count` dashboards from a fresh address each; the statuses of the refused ones (200: admitted). */
function admitMany(admission: SocketAdmission, count: number, authorized: boolean): number[] {
  return Array.from({ length: count }, (_, i) => admission.admit(`198.51.100.${i}`, authorized)?.status ?? 200);
}

describe("admissionLimits", () => {
  test("keep 5% of the open-file limit, at least 100 files, for HTTP, and as much again for the token holder", () => {
    expect(admissionLimits(256, 100)).toEqual({ perAddress: 100, publicCeiling: 56, ceiling: 156 });
    expect(admissionLimits(20_000, 100)).toEqual({ perAddress: 100, publicCeiling: 18_000, ceiling: 19_000 });
    expect(admissionLimits(1_048_576, 0)).toEqual({ perAddress: 0, publicCeiling: 943_718, ceiling: 996_147 });
  });

  test("a limit too small for both reserves leaves public sites none; no known limit, no ceiling", () => {
    expect(admissionLimits(150, 100)).toEqual({ perAddress: 100, publicCeiling: 0, ceiling: 50 });
    expect(admissionLimits(64, 100)).toEqual({ perAddress: 100, publicCeiling: 0, ceiling: 0 });
    expect(admissionLimits(null, 100)).toEqual({ perAddress: 100, publicCeiling: Infinity, ceiling: Infinity });
    expect(admissionLimits(Infinity, 0)).toEqual({ perAddress: 0, publicCeiling: Infinity, ceiling: Infinity });
  });
});

describe("SocketAdmission", () => {
  test("without the token, dashboards stop at the public ceiling; the token holder's go on to the ceiling", () => {
    const admission = new SocketAdmission({ perAddress: 0, publicCeiling: 3, ceiling: 5 });
    expect(admitMany(admission, 4, false)).toEqual([200, 200, 200, 503]);
    expect(admission.admit(A, false)).toEqual({ status: 503, message: "the server holds as many dashboards as it can; try again later" });
    expect(admitMany(admission, 3, true)).toEqual([200, 200, 503]);
    expect(admission.open).toBe(5);
    admission.release("", true);
    expect(admission.admit(A, false)?.status).toBe(503);
    admission.release("198.51.100.0", false);
    admission.release("198.51.100.1", false);
    expect(admission.open).toBe(2);
    expect(admission.admit(A, false)).toBeNull();
  });

  test("the per-address cap counts dashboards without the token only, each address on its own", () => {
    const admission = new SocketAdmission(admissionLimits(null, 2));
    expect([admission.admit(A, false), admission.admit(A, false)]).toEqual([null, null]);
    expect(admission.admit(A, false)).toEqual({ status: 429, message: "more than 2 dashboards from one address" });
    expect(admission.admit(B, false)).toBeNull();
    for (let i = 0; i < 1000; i++) expect(admission.admit(A, true)).toBeNull();
    admission.release(A, false);
    expect(admission.admit(A, false)).toBeNull();
    expect(admission.open).toBe(1003);
  });

  test("a refused dashboard is not counted", () => {
    const admission = new SocketAdmission({ perAddress: 1, publicCeiling: 2, ceiling: 2 });
    admission.admit(A, false);
    for (let i = 0; i < 10; i++) admission.admit(A, false);
    expect(admission.open).toBe(1);
    admission.release(A, false);
    expect(admission.admit(A, false)).toBeNull();
  });

  test("a cap of 0 is no cap", () => {
    const admission = new SocketAdmission(admissionLimits(null, 0));
    expect(admitMany(admission, 500, false).every((status) => status === 200)).toBe(true);
    expect(admission.open).toBe(500);
  });

  test("one IPv6 /64 is one address", () => {
    const admission = new SocketAdmission(admissionLimits(null, 2));
    expect(admission.admit("2001:db8:1:2::1", false)).toBeNull();
    expect(admission.admit("2001:db8:1:2:ffff:ffff:ffff:ffff", false)).toBeNull();
    expect(admission.admit("2001:db8:1:2::abcd", false)?.status).toBe(429);
    expect(admission.admit("2001:db8:1:3::1", false)).toBeNull();
  });

  test("the operator is told once when a ceiling is reached, and again only after the count fell below it", () => {
    const told: string[] = [];
    const admission = new SocketAdmission({ perAddress: 0, publicCeiling: 1, ceiling: 2 }, (message) => told.push(message));
    admitMany(admission, 5, false);
    expect(told).toEqual(["1 dashboards open, near the open-file limit: refusing dashboards without the token to keep files for ingest (see docs/deploy.md)"]);
    admitMany(admission, 5, true);
    expect(told.length).toBe(2);
    expect(told[1]).toContain("refusing every dashboard");
    admitMany(admission, 5, false);
    expect(told.length).toBe(2);
    admission.release("", true);
    admission.release("198.51.100.0", false);
    admitMany(admission, 3, false);
    expect(told.length).toBe(3);
  });
});

describe("SocketAdmission sharing the ceilings", () => {
  test("dashboards and widgets count against the same ceilings, each with its own per-address cap", () => {
    const total = { open: 0 };
    const limits = { perAddress: 2, publicCeiling: 3, ceiling: 4 };
    const dashboards = new SocketAdmission(limits, () => {}, { total });
    const widgets = new SocketAdmission(limits, () => {}, { total, noun: { one: "live widget", many: "live widgets" } });
    expect(dashboards.admit(A, false)).toBeNull();
    expect(dashboards.admit(A, false)).toBeNull();
    expect(widgets.admit(A, false)).toBeNull();
    expect(total.open).toBe(3);
    expect(widgets.admit(B, false)).toEqual({ status: 503, message: "the server holds as many live widgets as it can; try again later" });
    expect(dashboards.admit(B, true)).toBeNull();
    expect(dashboards.admit(B, true)?.status).toBe(503);
    widgets.release(A, false);
    dashboards.release(B, true);
    dashboards.release(A, false);
    expect(total.open).toBe(1);
    expect(widgets.admit(B, false)).toBeNull();
    expect(widgets.admit(B, false)).toBeNull();
    dashboards.release(A, false);
    expect(widgets.admit(B, false)).toEqual({ status: 429, message: "more than 2 live widgets from one address" });
  });
});
