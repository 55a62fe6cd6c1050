import { describe, expect, test } from "bun:test";
import { cleanText, clipLabel, MAX_LABEL_CHARS } from "../../../src/core/ingest/text.ts";

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

  test("removes musical and shorthand format controls", () => {
    const format = ["\u{1D173}", "\u{1D176}", "\u{1D17A}", "\u{1BCA0}", "\u{1BCA3}"];
    expect(clipLabel(`goo${format.join("")}gle.com`, MAX_LABEL_CHARS)).toBe("google.com");
  });

  test("keeps variation selectors in emoji, but a label of them alone is empty", () => {
    expect(clipLabel("I \u2764\uFE0F wine", MAX_LABEL_CHARS)).toBe("I \u2764\uFE0F wine");
    expect(clipLabel("\u{845B}\u{E0100}", MAX_LABEL_CHARS)).toBe("\u{845B}\u{E0100}");
    expect(clipLabel("\uFE0F", MAX_LABEL_CHARS)).toBe("");
    expect(clipLabel("\u200B\uFE0F \u{E0100}\u{1D173}", MAX_LABEL_CHARS)).toBe("");
  });

  test("a lone surrogate becomes U+FFFD, a pair stays whole", () => {
    expect(clipLabel("\ud800", MAX_LABEL_CHARS)).toBe("\ufffd");
    expect(clipLabel("a\udc00b\ud83c", MAX_LABEL_CHARS)).toBe("a\ufffdb\ufffd");
    expect(clipLabel("\ud83c\udf77", MAX_LABEL_CHARS)).toBe("\ud83c\udf77");
  });
});

describe("cleanText", () => {
  test("cleans without cutting", () => {
    const long = "v".repeat(2000);
    expect(cleanText(`\u202E${long}\u0000\ud800`)).toBe(`${long}\ufffd`);
  });
});
