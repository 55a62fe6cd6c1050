import { describe, expect, test } from "bun:test";
import { clipLabel, MAX_LABEL_CHARS } from "../../src/core/text.ts";

describe("clipLabel", () => {
  test("keeps ordinary labels as they are", () => {
    expect(clipLabel("Add to cart 🛒", MAX_LABEL_CHARS)).toBe("Add to cart 🛒");
    expect(clipLabel("/ü/%E2%98%83", MAX_LABEL_CHARS)).toBe("/ü/%E2%98%83");
  });

  test("cuts to the limit in code points, with an ellipsis, never splitting a surrogate pair", () => {
    const clipped = clipLabel("🍷".repeat(150), MAX_LABEL_CHARS);
    expect(Array.from(clipped)).toHaveLength(MAX_LABEL_CHARS);
    expect(clipped).toBe(`${"🍷".repeat(MAX_LABEL_CHARS - 1)}…`);
  });

  test("removes control characters", () => {
    expect(clipLabel("a\u0000b\u001bc\u2028d", MAX_LABEL_CHARS)).toBe("abcd");
  });

  test("removes bidi overrides, isolates and marks, so a label reads as it is written", () => {
    expect(clipLabel("\u202Emoc.elgoog", MAX_LABEL_CHARS)).toBe("moc.elgoog");
    const bidi = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"];
    expect(clipLabel(`x${bidi.join("")}y`, MAX_LABEL_CHARS)).toBe("xy");
  });

  test("removes zero-width and other invisible format characters", () => {
    const invisible = ["\u200B", "\u200C", "\u200D", "\uFEFF", "\u180E", "\u00AD", "\u2060", "\u2064", "\u206A", "\u206F", "\uFFF9", "\uFFFB", "\u{E0001}", "\u{E0041}", "\u{E007F}"];
    expect(clipLabel(`goo${invisible.join("")}gle.com`, MAX_LABEL_CHARS)).toBe("google.com");
  });

  test("a label of invisible characters only is empty, not a blank entry that looks like another", () => {
    expect(clipLabel("\u200B\u202E \u2066", MAX_LABEL_CHARS)).toBe("");
  });
});
