import { describe, expect, test } from "bun:test";
import { addressKey } from "../../../src/core/ingest/address-key.ts";

describe("addressKey", () => {
  test.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["::FFFF:203.0.113.9", "203.0.113.9"],
    ["2001:db8:a:b:c:d:e:f", "2001:db8:a:b"],
    ["2001:0db8:000a:b::1", "2001:db8:a:b"],
    ["2001:db8::1", "2001:db8:0:0"],
    ["2001:db8:1:2:3::", "2001:db8:1:2"],
    ["::1", "0:0:0:0"],
    ["fe80::", "fe80:0:0:0"],
  ])("%s counts as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
