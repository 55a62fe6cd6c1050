import { describe, expect, test } from "bun:test";
import { errorMessage } from "../../src/core/error-message.ts";

describe("errorMessage", () => {
  test("an Error's message, or the thrown value as text", () => {
    expect(errorMessage(new TypeError("bad"))).toBe("bad");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
  });
});
