import { describe, expect, test } from "bun:test";
import { fileLimitWarning, readFileLimit } from "../../src/host/file-limit.ts";

const LIMITS = (soft: string, hard: string) => `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files
`;

describe("open-file limit", () => {
  test("reads the soft and hard limits", () => {
    expect(readFileLimit(() => LIMITS("1024", "524288"))).toEqual({ soft: 1024, hard: 524288 });
    expect(readFileLimit(() => LIMITS("unlimited", "unlimited"))).toEqual({ soft: Infinity, hard: Infinity });
    expect(readFileLimit(() => "garbage")).toBeNull();
    expect(readFileLimit(() => { throw new Error("no /proc"); })).toBeNull();
  });

  test("warns with a clear line only when the limit caps dashboards", () => {
    expect(fileLimitWarning({ soft: 1_048_576, hard: 1_048_576 })).toBeNull();
    expect(fileLimitWarning({ soft: 20_000, hard: 20_000 })).toBe(
      "pulse: the open-file limit is 20000: about 19000 dashboards at most in this process; raise LimitNOFILE (see docs/deploy.md)",
    );
    expect(fileLimitWarning({ soft: 1024, hard: 65_536 })).toContain("ulimit -n 65536");
  });

  test("with workers, the limit is per process, and the total grows with them", () => {
    expect(fileLimitWarning({ soft: 20_000, hard: 20_000 }, 6)).toBe(
      "pulse: the open-file limit is 20000: about 19000 dashboards per worker, 114000 with 6 workers; raise LimitNOFILE (see docs/deploy.md)",
    );
  });

  test("this process's soft limit equals its hard limit (Bun raises it at start)", () => {
    const limit = readFileLimit();
    expect(limit).not.toBeNull();
    expect(limit!.soft).toBe(limit!.hard);
  });
});
