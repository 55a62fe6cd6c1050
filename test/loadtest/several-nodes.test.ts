/** `pulse loadtest` against the nodes of one cluster: every --url is a node, and sockets are spread over all. */
import { describe, expect, test } from "bun:test";
import { interleave } from "../../src/loadtest/coordinator.ts";
import { parseLoadtestConfig } from "../../src/loadtest/options.ts";

describe("several --url", () => {
  test("each is a node, the first is where the token is read; repeated or comma-separated", () => {
    const config = parseLoadtestConfig(["--url", "http://127.0.0.1:4101", "--url", "http://127.0.0.1:4102,http://127.0.0.1:4103/"], {});
    expect(config.urls).toEqual(["http://127.0.0.1:4101", "http://127.0.0.1:4102", "http://127.0.0.1:4103"]);
    expect(config.url).toBe("http://127.0.0.1:4101");
    expect(parseLoadtestConfig([], {}).urls).toEqual(["http://localhost:3000"]);
    expect(() => parseLoadtestConfig(["--url", "ftp://127.0.0.1"], {})).toThrow();
  });

  test("destinations are taken node by node in turn, so a few sockets reach every node", () => {
    expect(interleave([["a1", "a2", "a3"], ["b1"], ["c1", "c2"]])).toEqual(["a1", "b1", "c1", "a2", "c2", "a3"]);
    expect(interleave([[], ["b1"]])).toEqual(["b1"]);
    expect(interleave<string>([])).toEqual([]);
  });
});
