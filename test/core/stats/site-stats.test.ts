import { describe, expect, test } from "bun:test";
import { hitOf, SiteStats } from "../../../src/core/stats/site-stats.ts";
import { MAX_LABEL_CHARS } from "../../../src/core/ingest/text.ts";
import { storedEvent } from "../../helpers/stored-events.ts";

const T0 = 1_700_000_000_000;

describe("SiteStats.restore", () => {
  test("labels of events stored by older versions come back clipped and without invisible characters", () => {
    const stats = new SiteStats("example.com");
    stats.restore(hitOf(storedEvent({ time: T0, browser: `Mozilla/5.0 (X11) ${"a".repeat(12_000)}`, source: "\u202Emoc.elgoog", name: "Sign\u200Bup" })));
    const figures = stats.stats(T0 + 1000);
    const [browser] = figures.browsers[0]!;
    expect(Array.from(browser).length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    expect(figures.sources).toEqual([["moc.elgoog", 1]]);
    expect(figures.events).toEqual([["Signup", 1]]);
    expect(stats.recentFeed()[0]).toMatchObject({ n: "Signup", s: "moc.elgoog", b: browser });
  });
});
