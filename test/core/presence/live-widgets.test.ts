import { describe, expect, test } from "bun:test";
import { SocketAdmission } from "../../../src/core/fanout/socket-admission.ts";
import { TopicShards } from "../../../src/core/fanout/topic-shards.ts";
import { LiveWidgets, NO_MESSAGES, REANNOUNCE_BATCH, type LiveData, type LiveSocket } from "../../../src/core/presence/live-widgets.ts";
import { FakePresence } from "../../helpers/fake-presence.ts";

const SITE = "shop.example";
const INTERVAL = 5000;
const REANNOUNCE = 150_000;

class FakeSocket implements LiveSocket {
  readonly sent: string[] = [];
  readonly topics = new Set<string>();
  closed: [number | undefined, string | undefined] | null = null;
  constructor(readonly data: LiveData) {}
  send(text: string) {
    this.sent.push(text);
  }
  subscribe(topic: string) {
    this.topics.add(topic);
  }
  unsubscribe(topic: string) {
    this.topics.delete(topic);
  }
  close(code?: number, reason?: string) {
    this.closed = [code, reason];
  }
}

function setup(admission?: SocketAdmission) {
  let time = 1_000_000;
  const presence = new FakePresence();
  const shards = new TopicShards();
  const widgets = new LiveWidgets(presence, presence.announce, shards, {
    intervalMs: INTERVAL,
    reannounceMs: REANNOUNCE,
    now: () => time,
    ...(admission ? { admission } : {}),
  });
  const socket = (scope: LiveData["scope"], tab = "tab0000001", page = "/wines") => new FakeSocket({ kind: "live", site: SITE, page, scope, tab });
  return { presence, shards, widgets, socket, at: (t: number) => (time = t) };
}

describe("LiveWidgets", () => {
  test("a socket gets its page's count at the next tick, alone, and is subscribed to the page's topic at once", () => {
    const { presence, widgets, socket } = setup();
    presence.set(SITE, "/wines", 3);
    presence.set(SITE, null, 8);
    const page = socket("page");
    widgets.open(page);
    expect(page.sent).toEqual([]);
    widgets.tick(0);
    // Its own tab is counted, though its "held" has not reached presence yet (a bus that brings it back later).
    expect(page.sent).toEqual(["p4"]);
    expect([...page.topics]).toEqual(["live:shop.example|/wines"]);
    // A tab presence already counts (the tracker's, on this page) is not counted twice.
    presence.tabs.set(`${SITE} tab0000002`, "/wines");
    const both = socket("both", "tab0000002");
    widgets.open(both);
    widgets.tick(1);
    expect(both.sent).toEqual(["p3", "s8"]);
    expect([...both.topics]).toEqual(["live:shop.example|/wines", "live:shop.example"]);
    const site = socket("site", "tab0000003");
    widgets.open(site);
    expect([...site.topics]).toEqual(["live:shop.example"]);
    expect(widgets.connected).toBe(3);
  });

  test("a socket closed before the tick is sent nothing", () => {
    const { widgets, socket } = setup();
    const gone = socket("both");
    widgets.open(gone);
    widgets.close(gone);
    widgets.tick(0);
    expect(gone.sent).toEqual([]);
  });

  test("its tab is held on its page while it is open, and released when it closes", () => {
    const { presence, widgets, socket } = setup();
    const page = socket("site", "AbCdEfGh12");
    widgets.open(page);
    widgets.close(page);
    expect(presence.signals).toEqual([
      { time: 1_000_000, site: SITE, tab: "AbCdEfGh12", page: "/wines", state: "held" },
      { time: 1_000_000, site: SITE, tab: "AbCdEfGh12", page: "/wines", state: "released" },
    ]);
    expect(widgets.connected).toBe(0);
  });

  test("tick publishes the watched topics' changed counts once per interval", () => {
    const { presence, widgets, socket } = setup();
    const first = socket("page");
    widgets.open(first);
    // Its own tab, which the socket is sent at the tick, is no news.
    presence.set(SITE, "/wines", 1);
    presence.tabs.set(`${SITE} tab0000001`, "/wines");
    expect(widgets.tick(0)).toEqual([]);
    expect(first.sent).toEqual(["p1"]);
    presence.set(SITE, "/wines", 2);
    presence.set(SITE, "/about", 4);
    expect(widgets.tick(INTERVAL - 1)).toEqual([]);
    expect(widgets.tick(INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p2" }]);
    presence.set(SITE, "/wines", 3);
    expect(widgets.tick(2 * INTERVAL)).toEqual([{ topic: "live:shop.example|/wines", data: "p3" }]);
  });

  test("a topic whose last socket closed is no longer published", () => {
    const { presence, shards, widgets, socket } = setup();
    const page = socket("page");
    widgets.open(page);
    widgets.close(page);
    expect(shards.isWatched("live:shop.example|/wines")).toBe(false);
    presence.set(SITE, "/wines", 5);
    expect(widgets.tick(0)).toEqual([]);
  });

  test("a widget that sends anything is closed 1008", () => {
    const { widgets, socket } = setup();
    const page = socket("page");
    widgets.open(page);
    widgets.message(page);
    expect(page.closed).toEqual([1008, NO_MESSAGES]);
  });

  test("held tabs are announced again every interval, oldest first, a batch per tick at most", () => {
    const { presence, widgets, socket, at } = setup();
    at(0);
    const early = Array.from({ length: REANNOUNCE_BATCH + 5 }, (_, i) => socket("page", `early${String(i).padStart(5, "0")}`));
    for (const one of early) widgets.open(one);
    at(1000);
    const late = socket("page", "latetab001");
    widgets.open(late);
    presence.signals.length = 0;
    widgets.tick(REANNOUNCE - 1);
    expect(presence.signals).toEqual([]);
    widgets.tick(REANNOUNCE);
    expect(presence.signals).toHaveLength(REANNOUNCE_BATCH);
    expect(presence.signals.every((signal) => signal.state === "held" && signal.tab.startsWith("early"))).toBe(true);
    widgets.tick(REANNOUNCE + 250);
    expect(presence.signals.slice(REANNOUNCE_BATCH).map((signal) => signal.tab)).toEqual(early.slice(REANNOUNCE_BATCH).map((one) => one.data.tab));
    widgets.tick(REANNOUNCE + 1000);
    expect(presence.signals.at(-1)?.tab).toBe("latetab001");
    // Announced again: not due until another interval has passed.
    const count = presence.signals.length;
    widgets.tick(2 * REANNOUNCE - 1);
    expect(presence.signals.length).toBe(count);
  });

  test("a closed socket gives its admission place back", () => {
    const admission = new SocketAdmission({ perAddress: 1, publicCeiling: 10, ceiling: 10 }, () => {}, { noun: { one: "live widget", many: "live widgets" } });
    const { widgets } = setup(admission);
    expect(admission.admit("203.0.113.1", false)).toBeNull();
    expect(admission.admit("203.0.113.1", false)).toEqual({ status: 429, message: "more than 1 live widgets from one address" });
    const one = new FakeSocket({ kind: "live", site: SITE, page: "/", scope: "site", tab: "tab0000001", address: "203.0.113.1" });
    widgets.open(one);
    widgets.close(one);
    expect(admission.admit("203.0.113.1", false)).toBeNull();
  });
});

describe("LiveWidgets: one tab, two sockets", () => {
  test("a widget that reconnects before its old socket closes keeps its tab: the newest socket holds it", () => {
    const { presence, widgets, socket } = setup();
    const old = socket("page", "SameTab001");
    const fresh = socket("page", "SameTab001");
    widgets.open(old);
    widgets.open(fresh);
    widgets.close(old);
    expect(presence.signals.map((signal) => signal.state)).toEqual(["held", "held"]);
    widgets.close(fresh);
    expect(presence.signals.map((signal) => signal.state)).toEqual(["held", "held", "released"]);
  });
});
