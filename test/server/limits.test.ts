import { describe, expect, test } from "bun:test";
import { IpcBus, isBatchMessage, MAX_UNRETURNED_CHARS, type Channel } from "../../src/bus/ipc-bus.ts";
import { BASE, bearer, errorOf, handlerSetup } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const event = (ip: string, domains?: string) =>
  new Request(`${BASE}/api/event`, {
    method: "POST",
    headers: { "user-agent": UA.firefoxLinux, "x-forwarded-for": ip },
    body: JSON.stringify({ n: "pageview", u: "https://shop.test/", ...(domains ? { d: domains } : {}) }),
  });

describe("a congested bus", () => {
  test("ingest answers 503 with Retry-After to an address past its share while the bus is congested; other addresses still get 202", async () => {
    let congested = true;
    const time = 1_000_000;
    const { handler, metrics, store, tick } = handlerSetup({ trustProxy: true, overloaded: () => congested, now: () => time });
    const flood = [];
    for (let i = 0; i < 25; i++) flood.push((await handler(event("203.0.113.9")))!);
    expect(flood.map((response) => response.status)).toEqual([...Array<number>(20).fill(202), ...Array<number>(5).fill(503)]);
    const refused = flood[24]!;
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { error: string }).error).toContain("send this one again");
    expect(metrics.eventsDropped.overloaded).toBe(5);
    // A visitor at another address is not refused for the flood.
    expect((await handler(event("198.51.100.4")))!.status).toBe(202);
    // A request naming ten sites is ten events of the address's share.
    expect((await handler(event("198.51.100.5", Array.from({ length: 10 }, (_, i) => `s${i}.test`).join(","))))!.status).toBe(202);
    expect((await handler(event("198.51.100.5", Array.from({ length: 10 }, (_, i) => `s${i}.test`).join(","))))!.status).toBe(202);
    expect((await handler(event("198.51.100.5")))!.status).toBe(503);
    congested = false;
    expect((await handler(event("203.0.113.9")))!.status).toBe(202);
    await tick();
    expect(store.count()).toBe(20 + 1 + 20 + 1);
  });
  test("a request whose body was still coming when the bus became congested is held to its address's share too", async () => {
    let congested = false;
    const time = 1_000_000;
    const { handler, metrics } = handlerSetup({ trustProxy: true, overloaded: () => congested, now: () => time });
    let finish: (body: string) => void = () => {};
    const slowBody = new ReadableStream<Uint8Array>({
      start(controller) {
        finish = (body) => (controller.enqueue(new TextEncoder().encode(body)), controller.close());
      },
    });
    const slow = handler(
      new Request(`${BASE}/api/event`, { method: "POST", headers: { "user-agent": UA.firefoxLinux, "x-forwarded-for": "203.0.113.9" }, body: slowBody }),
    );
    congested = true;
    for (let i = 0; i < 20; i++) expect((await handler(event("203.0.113.9")))!.status).toBe(202);
    finish(JSON.stringify({ n: "pageview", u: "https://shop.test/slow" }));
    expect((await slow)!.status).toBe(503);
    expect(metrics.eventsDropped.overloaded).toBe(1);
  });
});

/** A worker whose primary takes its batches but sends none back: what it sent, and what its bus dropped. */
function stalledWorker() {
  const sentEvents: number[] = [];
  const primary: Channel = {
    send: (message) => void (isBatchMessage(message) && sentEvents.push((JSON.parse(message.events) as unknown[]).length)),
    onMessage: () => {},
  };
  let dropped = 0;
  const bus = new IpcBus(primary, { onDropped: (batch) => void (dropped += batch.length) });
  const time = 1_000_000;
  return {
    ...handlerSetup({ trustProxy: true, bus, now: () => time }),
    sentEvents,
    /** Events sent and dropped, to compare with what was answered 202. */
    fate: () => ({ sent: sentEvents.reduce((sum, n) => sum + n, 0), dropped }),
  };
}

/** Adds `answers` to the count by status. */
function countStatuses(answers: Array<Response | undefined>, statuses: Map<number, number>): void {
  for (const answer of answers) statuses.set(answer!.status, (statuses.get(answer!.status) ?? 0) + 1);
}

describe("a worker's bus that fills", () => {
  test("a flood of heavy events between two sends is refused once it nears the bus's bound: every event answered 202 is sent, none dropped", async () => {
    const { handler, tick, sentEvents, fate } = stalledWorker();
    expect((await handler(event("198.51.100.4")))!.status).toBe(202);
    await tick();
    expect(sentEvents).toEqual([1]);

    // Ten sites and thirty long properties a request (some 66 KB of events), from five addresses,
    // fifty requests in flight at a time: more than the bus holds, and no tick meanwhile.
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "v".repeat(200)]));
    const sites = Array.from({ length: 10 }, (_, i) => `heavy${i}.test`).join(",");
    const heavy = (i: number) =>
      new Request(`${BASE}/api/event`, {
        method: "POST",
        headers: { "user-agent": UA.firefoxLinux, "x-forwarded-for": `203.0.113.${i % 5}` },
        body: JSON.stringify({ n: "pageview", u: `https://heavy0.test/${i}`, d: sites, p: props }),
      });
    const statuses = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      countStatuses(await Promise.all(Array.from({ length: 50 }, (_, i) => handler(heavy(round * 50 + i)))), statuses);
    }
    await tick();
    expect(fate()).toEqual({ sent: 1 + 10 * (statuses.get(202) ?? 0), dropped: 0 });
    expect(statuses.get(503)).toBeGreaterThan(0);
    // It stopped well before the bound, not at it.
    expect(10 * (statuses.get(202) ?? 0) * 6_600).toBeLessThan(MAX_UNRETURNED_CHARS);
  });

  test("a flood from many addresses, each within its share, is refused whole once the bus is nearly full: nothing answered 202 is dropped", async () => {
    const { handler, tick, fate } = stalledWorker();
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "v".repeat(200)]));
    // One site a request, each from an address of its own: no address ever uses its share.
    const request = (i: number) =>
      new Request(`${BASE}/api/event`, {
        method: "POST",
        headers: { "user-agent": UA.firefoxLinux, "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        body: JSON.stringify({ n: "pageview", u: `https://many.test/${i}`, p: props }),
      });
    const statuses = new Map<number, number>();
    // Rounds of 1,800 requests in flight (some 12 M characters of events): the third begins just
    // short of full, and would end past the bound if the requests were let through as they began.
    for (let round = 0; round < 3; round++) {
      countStatuses(await Promise.all(Array.from({ length: 1_800 }, (_, i) => handler(request(round * 1_800 + i)))), statuses);
    }
    await tick();
    expect(fate()).toEqual({ sent: statuses.get(202) ?? 0, dropped: 0 });
    expect(statuses.get(503)).toBeGreaterThan(0);
    // Once full, it stays full while nothing comes back: every address is refused.
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => handler(request(1_000_000 + i))));
    expect(after.map((answer) => answer!.status)).toEqual(Array<number>(10).fill(503));
  });
});

describe("--rate-limit", () => {
  test("an address past its rate gets 429 with Retry-After; other addresses are unaffected", async () => {
    let time = 1_000_000;
    const { handler, metrics } = handlerSetup({ rateLimit: 5, trustProxy: true, now: () => time });
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await handler(event("203.0.113.1")))!.status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    const limited = (await handler(event("203.0.113.1")))!;
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await limited.json()) as object).toEqual({ error: "more than 5 events per second from one address" });
    expect((await handler(event("203.0.113.2")))!.status).toBe(202);
    time += 1000;
    expect((await handler(event("203.0.113.1")))!.status).toBe(202);
    expect(metrics.eventsDropped["rate-limited"]).toBe(4);
  });

  test("a request counts once per site it names: ten sites are ten events", async () => {
    let time = 1_000_000;
    const { handler, metrics } = handlerSetup({ rateLimit: 10, trustProxy: true, now: () => time });
    const sites = Array.from({ length: 10 }, (_, i) => `s${i}.test`).join(",");
    expect((await handler(event("203.0.113.1", sites)))!.status).toBe(202);
    expect(metrics.eventsAccepted).toBe(10);
    expect((await handler(event("203.0.113.1")))!.status).toBe(429);
    time += 1000;
    expect((await handler(event("203.0.113.1")))!.status).toBe(202);
  });

  test("a request naming more sites than the address has left is accepted, and the address waits longer", async () => {
    let time = 1_000_000;
    const { handler, metrics } = handlerSetup({ rateLimit: 5, trustProxy: true, now: () => time });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await handler(event("203.0.113.1")))!.status);
    // Two events left; this one is four.
    statuses.push((await handler(event("203.0.113.1", "a.test,b.test,c.test,d.test")))!.status);
    statuses.push((await handler(event("203.0.113.1")))!.status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    const limited = (await handler(event("203.0.113.1")))!;
    expect(limited.headers.get("retry-after")).toBe("1");
    // A second later, five more events came in and two were owed.
    time += 1000;
    for (let i = 0; i < 4; i++) statuses.push((await handler(event("203.0.113.1")))!.status);
    expect(statuses.slice(5)).toEqual([202, 202, 202, 429]);
    expect(metrics.eventsAccepted).toBe(10);
  });

  test("an IPv6 /64 is one address: eight addresses of one /64 share its rate", async () => {
    const { handler } = handlerSetup({ rateLimit: 2, trustProxy: true, now: () => 1_000_000 });
    const statuses = [];
    for (let i = 1; i <= 8; i++) statuses.push((await handler(event(`2001:db8::${i}`)))!.status);
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429, 429, 429]);
    // Another /64 has its own.
    expect((await handler(event("2001:db8:0:1::1")))!.status).toBe(202);
  });

  test("an IPv4 address written IPv4-mapped is the same address", async () => {
    const { handler } = handlerSetup({ rateLimit: 2, trustProxy: true, now: () => 1_000_000 });
    const statuses = [];
    for (const ip of ["203.0.113.1", "::ffff:203.0.113.1", "203.0.113.1"]) statuses.push((await handler(event(ip)))!.status);
    expect(statuses).toEqual([202, 202, 429]);
  });

  test("is off by default", async () => {
    const { handler } = handlerSetup({ trustProxy: true });
    for (let i = 0; i < 100; i++) expect((await handler(event("203.0.113.1")))!.status).toBe(202);
  });
});

const dashboard = (headers: Record<string, string> = {}) => new Request(`${BASE}/ws?site=shop.test`, { headers: { origin: BASE, ...headers } });

describe("--max-dashboards-per-ip", () => {
  test("the next dashboard without the token from a full address gets 429 before any upgrade; the token holder's are not counted", async () => {
    const { handler, upgrades, admission } = handlerSetup({ maxDashboardsPerIp: 2, publicSites: ["shop.test"] });
    expect(await handler(dashboard())).toBeUndefined();
    expect(await handler(dashboard())).toBeUndefined();
    expect(await errorOf(await handler(dashboard()))).toEqual({ status: 429, body: { error: "more than 2 dashboards from one address" } });
    expect(upgrades.length).toBe(2);
    expect(upgrades[0]!.address).toBe("192.0.2.7");
    for (let i = 0; i < 5; i++) expect(await handler(dashboard(bearer))).toBeUndefined();
    expect(upgrades[2]!.address).toBeUndefined();
    expect(admission.open).toBe(7);
  });
});

describe("the open-file limit", () => {
  test("near it, dashboards get 503 with Retry-After before any upgrade, those without the token first", async () => {
    // 256 files: dashboards without the token up to 56, the token holder's up to 156.
    const { handler, upgrades, metrics } = handlerSetup({ openFiles: 256, publicSites: ["shop.test"] });
    for (let i = 0; i < 56; i++) expect(await handler(dashboard())).toBeUndefined();
    const refused = (await handler(dashboard()))!;
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await errorOf(refused)).toEqual({ status: 503, body: { error: "the server holds as many dashboards as it can; try again later" } });
    for (let i = 0; i < 100; i++) expect(await handler(dashboard(bearer))).toBeUndefined();
    expect((await handler(dashboard(bearer)))!.status).toBe(503);
    expect(upgrades.length).toBe(156);
    expect(metrics.dashboardsRejected).toBe(2);
  });

  test("a request that does not upgrade gives its place back", async () => {
    const { handler, withPeer, admission } = handlerSetup({ maxDashboardsPerIp: 1, publicSites: ["shop.test"] });
    expect((await withPeer(dashboard(), { address: "192.0.2.7", upgrade: () => false }))!.status).toBe(426);
    expect(admission.open).toBe(0);
    expect(await handler(dashboard())).toBeUndefined();
  });
});
