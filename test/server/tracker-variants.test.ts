import { describe, expect, test } from "bun:test";
import { trackerBuilds, trackerPath, trackerVariant } from "../../src/server/tracker-variants.ts";

const served = (name: string) => trackerVariant(`/js/${name}`);

describe("trackerVariant: a script name to the script served", () => {
  test("script.js is the core", () => {
    expect(served("script.js")).toEqual({ path: "/js/script.js" });
  });
  test("link tracking, in any order, is one script", () => {
    expect(served("script.outbound-links.js")).toEqual({ path: "/js/script.outbound-links.js" });
    expect(served("script.file-downloads.js")).toEqual({ path: "/js/script.file-downloads.js" });
    const both = { path: "/js/script.outbound-links.file-downloads.js" };
    expect(served("script.outbound-links.file-downloads.js")).toEqual(both);
    expect(served("script.file-downloads.outbound-links.js")).toEqual(both);
  });
  test("local and manual are scripts of their own", () => {
    expect(served("script.local.js")).toEqual({ path: "/js/script.local.js" });
    expect(served("script.manual.js")).toEqual({ path: "/js/script.manual.js" });
    expect(served("script.manual.file-downloads.local.outbound-links.js")).toEqual({
      path: "/js/script.outbound-links.file-downloads.local.manual.js",
    });
  });
  test("Plausible's extensions for what every script does add nothing", () => {
    expect(served("script.hash.js")).toEqual({ path: "/js/script.js" });
    expect(served("script.exclusions.compat.js")).toEqual({ path: "/js/script.js" });
    expect(served("script.hash.outbound-links.js")).toEqual({ path: "/js/script.outbound-links.js" });
    expect(served("script.outbound-links.hash.outbound-links.js")).toEqual({ path: "/js/script.outbound-links.js" });
  });
  test("what Pulse does not record is refused, naming what it supports", () => {
    for (const [extension, what] of [
      ["tagged-events", "events from CSS classes"],
      ["pageview-props", "custom properties on pageviews"],
      ["revenue", "revenue"],
    ] as const) {
      const answer = served(`script.outbound-links.${extension}.js`);
      expect(answer).toEqual({ error: expect.stringContaining(`does not record ${what} (${extension})`) });
      expect((answer as { error: string }).error).toContain("outbound-links, file-downloads, local, manual, hash, exclusions, compat");
    }
  });
  test("an unknown extension is refused, by name", () => {
    expect(served("script.outbound.js")).toEqual({ error: expect.stringContaining(`"outbound" is not a tracker script extension`) });
    expect(served("script.constructor.js")).toEqual({ error: expect.stringContaining(`"constructor"`) });
    expect(served("script.Hash.js")).toEqual({ error: expect.stringContaining(`"Hash"`) });
  });
  test("other paths are not the tracker's", () => {
    for (const path of ["/js/live.js", "/js/script.js.map", "/js/scripts.js", "/script.js", "/js/script..js", "/js/a/script.js", "/js/script"]) {
      expect(trackerVariant(path)).toBeUndefined();
    }
  });
});

test("trackerBuilds: one script per set of features, each named as trackerVariant serves it", () => {
  const builds = trackerBuilds();
  expect(builds).toHaveLength(16);
  expect(new Set(builds.map((build) => build.path)).size).toBe(16);
  expect(builds[0]).toEqual({ path: "/js/script.js", features: [] });
  for (const build of builds) {
    expect(trackerVariant(build.path)).toEqual({ path: build.path });
    expect(trackerPath([...build.features].reverse())).toBe(build.path);
  }
});
