import { expect, test } from "bun:test";
import { dashboardRequest } from "../../src/loadtest/dashboard-socket.ts";
import type { Destination } from "../../src/loadtest/targets.ts";
import { MAX_LOADTEST_VIEWS, pageview, viewQuery } from "../../src/loadtest/traffic.ts";

test("view 0 is the whole site; the others are a page or a country the pageviews send, in turn", () => {
  expect(viewQuery(0, 16)).toBe("");
  expect(viewQuery(1, 16)).toBe("page=%2F");
  expect(viewQuery(16, 16)).toBe("country=AU");
  // Dashboard ids wrap around the views.
  expect(viewQuery(17, 16)).toBe("");
  expect(viewQuery(5, 0)).toBe("");
  expect(MAX_LOADTEST_VIEWS).toBe(16);
  // Every page view gets traffic: each page appears among the pageviews.
  const sent = Array.from({ length: 60 }, (_, n) => pageview("bench.test", n).body).join("\n");
  for (let view = 1; view <= 10; view++) expect(sent).toContain(`"u":"https://bench.test${decodeURIComponent(viewQuery(view, MAX_LOADTEST_VIEWS).slice(5))}"`);
});

test("a dashboard of a filtered view connects with its filter; the baselines' never do", () => {
  const destination = { ws: "ws://127.0.0.1:3000", origin: "http://127.0.0.1:3000" } as Destination;
  expect(dashboardRequest({ protocol: "pulse", destination, site: "bench.test", token: null, filters: "country=FR" }).url).toBe("ws://127.0.0.1:3000/ws?site=bench.test&country=FR");
  expect(dashboardRequest({ protocol: "pulse", destination, site: "bench.test", token: null, filters: "" }).url).toBe("ws://127.0.0.1:3000/ws?site=bench.test");
});
