/** Labels longer than this are cut: they are for reading on a dashboard, and keep frames small. */
export const MAX_LABEL_CHARS = 100;

/**
 * Characters a label is better without. Control characters would be escaped to six bytes each in
 * JSON frames and carry no meaning in labels. Bidi overrides, embeddings, isolates and marks
 * reorder what follows them (`\u202Emoc.elgoog` shows as "google.com" and reverses the rest of a
 * feed line); zero-width and other invisible format characters make labels that look alike but
 * are not. Zero-width joiners go too: an emoji sequence falls apart into its emoji, still readable.
 */
const UNWANTED =
  "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufeff\\uffa0\\ufff0-\\ufffb";
/** Tag characters (U+E0000 to U+E007F): invisible, as surrogate pairs. */
const TAGS = "\\udb40[\\udc00-\\udc7f]";
const HAS_UNWANTED = new RegExp(`[${UNWANTED}]|${TAGS}`);
const ALL_UNWANTED = new RegExp(`[${UNWANTED}]|${TAGS}`, "g");

/** Text safe to show: control, bidi and invisible format characters removed, and surrounding spaces. */
export function cleanText(value: string): string {
  // Nearly every value is clean: a test costs less than a replace that finds nothing.
  return (HAS_UNWANTED.test(value) ? value.replace(ALL_UNWANTED, "") : value).trim();
}

/**
 * A label safe to show and cheap to send: clean text (see cleanText), cut to at most `maxChars`
 * code points (never splitting a surrogate pair), with an ellipsis when cut.
 */
export function clipLabel(value: string, maxChars: number): string {
  const clean = cleanText(value);
  if (clean.length <= maxChars) return clean;
  // A code point is at most two code units: twice the limit holds enough of them, whatever the
  // length of the value (a surrogate cut in half there lies past the limit).
  const head = clean.length > 2 * maxChars ? clean.slice(0, 2 * maxChars) : clean;
  const codePoints = Array.from(head);
  if (head === clean && codePoints.length <= maxChars) return clean;
  return codePoints.slice(0, maxChars - 1).join("") + "…";
}

const encoder = new TextEncoder();

export function utf8Length(value: string): number {
  // Fast path: for pure ASCII the byte length is the string length.
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return encoder.encode(value).length;
  }
  return value.length;
}
