import { describe, expect, test } from "bun:test";
import { BASE, bearer, errorOf, handlerSetup } from "../helpers/handler-setup.ts";
import { UA } from "../helpers/user-agents.ts";

const event = (ip: string) =>
  new Request(`${BASE}/api/event`, {
    method: "POST",
    headers: { "user-agent": UA.firefoxLinux, "x-forwarded-for": ip },
    body: JSON.stringify({ n: "pageview", u: "https://shop.test/" }),
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

  test("is off by default", async () => {
    const { handler } = handlerSetup({ trustProxy: true });
    for (let i = 0; i < 100; i++) expect((await handler(event("203.0.113.1")))!.status).toBe(202);
  });
});

describe("--max-dashboards-per-ip", () => {
  test("the next dashboard from a full address gets 429 before any upgrade", async () => {
    const { handler, upgrades } = handlerSetup({ maxDashboardsPerIp: 2 });
    const ws = () => new Request(`${BASE}/ws?site=shop.test`, { headers: { origin: BASE, ...bearer } });
    expect(await handler(ws())).toBeUndefined();
    expect(await handler(ws())).toBeUndefined();
    expect(await errorOf(await handler(ws()))).toEqual({ status: 429, body: { error: "more than 2 dashboards from one address" } });
    expect(upgrades.length).toBe(2);
    expect(upgrades[0]!.address).toBe("192.0.2.7");
  });
});
